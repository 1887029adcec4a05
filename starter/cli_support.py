"""What every `escalation` command shares: the connection with its timeout, failures as one
`error:` line, the common arguments and the console."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from temporalio.client import Client, RPCTimeoutOrCancelledError

from escalation.environment import seconds_setting
from escalation.policy import Policy
from escalation.policy_loader import PolicyInvalid, load_policy, policy_path
from starter import render
from starter.errors import NoAnswer, explain
from starter.incidents import send_verb
from wiring.temporal import connect

T = TypeVar("T")

TIMEOUT_SETTING = "ESCALATION_CLI_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 30.0


def answer_timeout() -> float:
    """How long a verb, query or listing may take; without a worker an update would wait forever.

    Read when a command needs it, so a bad value is that command's `error:` line."""
    return seconds_setting(TIMEOUT_SETTING, DEFAULT_TIMEOUT_SECONDS)


out = Console(highlight=False, soft_wrap=True)


def field_help(model: type[BaseModel], name: str) -> str:
    """The field's own description: one text documents the CLI, the README and the UI."""
    return model.model_fields[name].description or name


IncidentArg = Annotated[str, typer.Argument(help="Incident key or workflow id (incident-<key>)")]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        envvar="ESCALATION_USER",
        help="Who is acting (default: $ESCALATION_USER, else your login name)",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON")]
ServiceOption = Annotated[str | None, typer.Option(help="Only this service")]


def actor(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "operator"


# -- running async work, with every failure as one line -------------------------------------------


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def run(work: Callable[[Client], Awaitable[T]], *, timeout: float | None = None) -> T:
    """Connect, do the work (bounded by a timeout), and turn any failure into `error: ...`."""

    async def connected() -> T:
        client = await connect()
        try:
            async with asyncio.timeout(timeout):
                return await work(client)
        except (TimeoutError, RPCTimeoutOrCancelledError):
            waited = f" within {timeout:.0f}s" if timeout else ""
            raise NoAnswer(
                f"no answer{waited}: is a worker running (`escalation worker`)? "
                "A verb sent meanwhile still applies once a worker picks it up"
            ) from None

    try:
        return asyncio.run(connected())
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as error:
        fail(explain(error))


def act(incident: str, verb: str, payload: dict[str, Any], as_json: bool) -> None:
    """Send one verb as an update and show the answer."""
    fields = {name: value for name, value in payload.items() if value is not None}
    result = run(lambda client: send_verb(client, incident, verb, fields), timeout=answer_timeout())
    render.show(result, as_json, lambda: render.command_result(out, result))


def local_policy() -> Policy | None:
    """The policy for the summary line's severity; the workflow classifies for real anyway."""
    try:
        return load_policy(policy_path())
    except PolicyInvalid:
        return None
