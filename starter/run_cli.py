"""Running the service: check a policy file, register the search attributes, run a worker or the
local dev stack."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from temporalio.client import Client

from escalation.contract import TASK_QUEUE
from escalation.policy_loader import PolicyInvalid, load_policy
from starter import oncall_cli, render
from starter.cli_support import (
    answer_timeout,
    fail,
    out,
    run,
)
from starter.common_options import PolicyOption, TaskQueueOption
from starter.errors import explain
from wiring.search_attributes import register_search_attributes

commands = typer.Typer()
policy_commands = typer.Typer(help="Work with escalation policy files.", no_args_is_help=True)


@policy_commands.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="The policy YAML file")],
) -> None:
    """Validate a policy file: `OK` and a summary, or every problem with its key and line."""
    try:
        policy = load_policy(file)
    except PolicyInvalid as error:
        count = len(error.problems)
        typer.echo(
            f"error: {error.source}: invalid policy ({count} problem{'s' * (count != 1)})",
            err=True,
        )
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    render.policy_ok(out, file, policy)
    oncall_cli.report_secret_links(policy)
    oncall_cli.report_gaps(out, file, policy)


@commands.command()
def setup() -> None:
    """Register the incident search attributes on the configured namespace (idempotent)."""

    async def register(client: Client) -> tuple[str, list[str]]:
        return client.namespace, await register_search_attributes(client)

    namespace, added = run(register, timeout=answer_timeout())
    if added:
        out.print(f"Registered on namespace {namespace!r}: {', '.join(added)}")
    else:
        out.print(f"All incident search attributes already exist on namespace {namespace!r}.")


@commands.command()
def worker(
    policy: PolicyOption = None,
    task_queue: TaskQueueOption = TASK_QUEUE,
) -> None:
    """Run a worker until Ctrl-C or SIGTERM; in-flight deliveries finish first."""
    from wiring.metrics import install_metrics_from_environment  # noqa: PLC0415
    from worker.runner import run_worker  # noqa: PLC0415 - the worker's imports are heavy
    from worker.settings import worker_settings  # noqa: PLC0415

    _log_to_stderr()
    try:  # every setting is checked before any connection attempt
        settings = worker_settings(policy, task_queue)
        install_metrics_from_environment()  # before connecting: the client reports to it
    except Exception as error:
        fail(explain(error))
    run(lambda client: run_worker(client, settings=settings))


@commands.command()
def dev(
    port: Annotated[int, typer.Option(help="The dev server's gRPC port")] = 7233,
    ui_port: Annotated[int, typer.Option(help="The Temporal UI's port")] = 8233,
    db_file: Annotated[Path, typer.Option(help="SQLite file: incidents survive restarts")] = Path(
        ".escalation/temporal.db"
    ),
) -> None:
    """Local stack: dev server + worker + a demo incident. Ctrl-C stops it; rerun resumes."""
    from starter.devserver import DevServerSettings  # noqa: PLC0415 - keep verbs quick to start
    from starter.devstack import run_dev_stack  # noqa: PLC0415

    _log_to_stderr()
    settings = DevServerSettings(db_file=db_file, port=port, ui_port=ui_port)
    try:
        asyncio.run(run_dev_stack(settings, say=_say))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as error:
        fail(explain(error))


def _say(text: str) -> None:
    """Plain lines for the dev stack's messages: no markup, no wrapping of links."""
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _log_to_stderr() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
