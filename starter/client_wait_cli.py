"""`escalation wait-for-client` and `escalation client-replied`: pause and resume a client's
resolution clock while the next move is the client's."""

from __future__ import annotations

from typing import Annotated

import typer

from escalation import commands as cmd
from starter.cli_support import ByOption, IncidentArg, JsonOption, act, actor, field_help

commands = typer.Typer()

ClientOption = Annotated[str, typer.Option(help=field_help(cmd.WaitForClient, "client"))]


@commands.command("wait-for-client")
def wait_for_client(
    incident: IncidentArg,
    client: ClientOption,
    reason: Annotated[str, typer.Option(help=field_help(cmd.WaitForClient, "reason"))],
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pause a client's resolution clock until it replies (at most its contract's max_pause)."""
    payload = {"by": actor(by), "client": client, "reason": reason}
    act(incident, "wait_for_client", payload, as_json)


@commands.command("client-replied")
def client_replied(
    incident: IncidentArg, client: ClientOption, by: ByOption = None, as_json: JsonOption = False
) -> None:
    """The client answered: its resolution clock runs again, the paused time not counted."""
    act(incident, "client_replied", {"by": actor(by), "client": client}, as_json)
