"""`escalation serve` and `escalation integration key`: the HTTP front door's commands.

Kept apart from cli.py, which hooks them in with one line.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Annotated

import typer

from escalation.contract import TASK_QUEUE
from escalation.integrations import INTEGRATION_NAME_PATTERN
from escalation.policy_loader import PolicyInvalid, load_policy, policy_path
from starter.common_options import PolicyOption, TaskQueueOption

integration_app = typer.Typer(help="Integrations of the HTTP front door.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def serve(
    policy: PolicyOption = None,
    task_queue: TaskQueueOption = TASK_QUEUE,
) -> None:
    """Run the HTTP front door on $ESCALATION_HTTP_ADDRESS (default 127.0.0.1:8080)."""
    import uvloop  # noqa: PLC0415 - the front door's event loop, as uvicorn would pick

    from activities.slack_client import slack_settings  # noqa: PLC0415
    from api.server import serve_forever  # noqa: PLC0415 - uvicorn loads only when serving
    from api.settings import SettingInvalid, http_settings  # noqa: PLC0415
    from wiring.metrics import (  # noqa: PLC0415
        MetricsAddressInvalid,
        install_metrics_from_environment,
    )

    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    file = policy or policy_path()
    try:
        http_settings()
        slack_settings()  # Slack half set up: one line now, not a traceback at the first click
        load_policy(file)
        install_metrics_from_environment()  # before the client: it reports to this runtime
    except (SettingInvalid, MetricsAddressInvalid) as error:
        raise _fail(str(error)) from None
    except PolicyInvalid as error:
        raise _fail(f"{error.source}: invalid policy: " + "; ".join(error.problems)) from None
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(serve_forever(file, task_queue))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except OSError as error:
        raise _fail(f"cannot serve HTTP: {error}") from None


@integration_app.command("key")
def integration_key(
    name: Annotated[str, typer.Argument(help="The integration's name in the policy")],
) -> None:
    """Print a new random key for an integration, and the policy line holding its hash."""
    import re  # noqa: PLC0415

    from api.keys import key_digest, new_key  # noqa: PLC0415

    if not re.fullmatch(INTEGRATION_NAME_PATTERN, name):
        raise _fail(f"{name!r}: lowercase letters, digits, - and _ (up to 40), such as prometheus")
    key = new_key()
    typer.echo(f"key (give it to the sender; it is not stored anywhere): {key}")
    typer.echo("add its hash to the integration in the policy (keep old ones while rotating):")
    typer.echo(
        f"  integrations: {{{name}: {{key_sha256: [{key_digest(key)!r}]}}}}".replace("'", '"')
    )


def register(app: typer.Typer) -> None:
    """Hook these commands into the `escalation` command."""
    app.command("serve")(serve)
    app.add_typer(integration_app, name="integration")


def serve_main() -> None:
    """`python -m api`."""
    typer.run(serve)
