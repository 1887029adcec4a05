"""`escalation oncall override`: someone takes a stretch of a schedule over, or gives it back.

The override lives in the schedule's workflow (`oncall-<schedule>`, visible in the Temporal UI)
and reaches every page made after it is set, in incidents already open too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from temporalio.client import Client

from escalation.on_call_overrides import SetOverride
from escalation.policy_loader import PolicyInvalid, load_policy, policy_path
from escalation.schedules import Override
from starter.common_options import PolicyOption
from starter.errors import explain
from starter.oncall_overrides import remove_override, set_override
from worker.connection import connect

T = TypeVar("T")
ANSWER_SECONDS = 30.0


def override(
    schedule: Annotated[str, typer.Argument(metavar="SCHEDULE", help="A schedule of the policy")],
    *,
    who: Annotated[
        str | None, typer.Option("--who", help="The contact on call instead, such as carol")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="ISO 8601, such as 2026-12-07T09:00+01:00 (no offset: this machine's)"
        ),
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="ISO 8601, after --from")] = None,
    remove: Annotated[
        str | None, typer.Option("--remove", metavar="ID", help="Take override ID back instead")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who sets it, for the record")] = "operator",
    policy_file: PolicyOption = None,
) -> None:
    """Set an override (--who, --from, --to) or take one back (--remove ID)."""
    _check_schedule(schedule, policy_file or policy_path())
    if remove is not None:
        if who or start or end:
            _fail("--remove takes no --who, --from or --to")
        removed = _run(lambda client: remove_override(client, schedule, remove, by))
        typer.echo(f"removed {_line(removed)}")
        return
    if not (who and start and end):
        _fail("an override needs --who, --from and --to (or --remove ID)")
    try:
        command = SetOverride.model_validate(
            {"who": who, "from": _instant(start), "to": _instant(end), "by": by}
        )
    except ValidationError as error:
        _fail(explain(error))
    held = _run(lambda client: set_override(client, schedule, command))
    typer.echo(f"set {_line(held)}")


def _line(override: Override) -> str:
    """`o-1a2b3c4d: carol on call for primary from ... to ...`."""
    return (
        f"{override.id}: {override.who} on call for {override.schedule} "
        f"from {override.start.isoformat()} to {override.end.isoformat()}"
    )


def _check_schedule(schedule: str, path: Path) -> None:
    """Refuse a schedule the policy does not have before anything is started on the server."""
    try:
        policy = load_policy(path)
    except PolicyInvalid as error:
        _fail(explain(error))
    if schedule not in policy.schedules:
        _fail(f"unknown schedule {schedule!r} (one of: {', '.join(policy.schedules) or 'none'})")


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        _fail(f"expected an ISO 8601 instant such as 2026-12-07T09:00+01:00, got {text!r}")
    return moment if moment.tzinfo else moment.astimezone()


def _run(work: Callable[[Client], Awaitable[T]]) -> T:
    async def connected() -> T:
        client = await connect()
        async with asyncio.timeout(ANSWER_SECONDS):
            return await work(client)

    try:
        return asyncio.run(connected())
    except TimeoutError:
        _fail("no answer in time: is a worker running (`escalation worker`)?")
    except Exception as error:
        _fail(explain(error))


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)
