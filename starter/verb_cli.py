"""Opening an incident and the operator verbs: each verb goes to the incident as an update, so
the operator hears at once whether it was accepted or why not."""

from __future__ import annotations

from typing import Annotated

import typer

from escalation import commands as cmd
from escalation.alerts import Alert
from escalation.contract import TASK_QUEUE
from starter import render
from starter.cli_support import (
    ByOption,
    IncidentArg,
    JsonOption,
    act,
    actor,
    answer_timeout,
    fail,
    field_help,
    local_policy,
    out,
    run,
)
from starter.common_options import TaskQueueOption
from starter.errors import explain
from starter.opening import open_incident

commands = typer.Typer()


@commands.command("open")
def open_(
    *,
    title: Annotated[str, typer.Option(help=field_help(Alert, "title"))],
    service: Annotated[str, typer.Option(help=field_help(Alert, "service"))],
    description: Annotated[str, typer.Option(help=field_help(Alert, "description"))] = "",
    severity: Annotated[str | None, typer.Option(help=field_help(Alert, "severity"))] = None,
    category: Annotated[str | None, typer.Option(help=field_help(Alert, "category"))] = None,
    users: Annotated[int, typer.Option(help=field_help(Alert, "users_affected"))] = 0,
    client: Annotated[
        list[str] | None,
        typer.Option("--client", help=field_help(Alert, "clients_affected") + " (repeatable)"),
    ] = None,
    dedup_key: Annotated[str | None, typer.Option(help=field_help(Alert, "dedup_key"))] = None,
    source: Annotated[str | None, typer.Option(help=field_help(Alert, "source"))] = None,
    task_queue: TaskQueueOption = TASK_QUEUE,
    as_json: JsonOption = False,
) -> None:
    """Report an incident (or another alert for an open one with the same dedup key)."""
    try:
        alert = Alert(
            title=title,
            service=service,
            description=description,
            severity=severity,
            category=category,
            users_affected=users,
            clients_affected=client or [],
            dedup_key=dedup_key,
            source=source or f"cli:{actor(None)}",
        )
    except ValueError as error:
        fail(explain(error))
    policy = local_policy()
    opened = run(
        lambda temporal: open_incident(temporal, alert, task_queue=task_queue, policy=policy),
        timeout=answer_timeout(),
    )
    render.show(opened, as_json, lambda: render.opened(out, opened))


@commands.command()
def ack(
    incident: IncidentArg,
    by: ByOption = None,
    note: Annotated[str | None, typer.Option(help=field_help(cmd.Acknowledge, "note"))] = None,
    as_json: JsonOption = False,
) -> None:
    """Acknowledge: take ownership, paging stops."""
    act(incident, "acknowledge", {"by": actor(by), "note": note}, as_json)


@commands.command()
def escalate(
    incident: IncidentArg,
    reason: Annotated[str, typer.Option(help=field_help(cmd.Escalate, "reason"))],
    by: ByOption = None,
    to_tier: Annotated[str | None, typer.Option(help=field_help(cmd.Escalate, "to_tier"))] = None,
    as_json: JsonOption = False,
) -> None:
    """Page another tier or management now."""
    target: int | str | None = to_tier
    if to_tier is not None and to_tier.strip().isdigit():
        target = int(to_tier)
    act(incident, "escalate", {"by": actor(by), "reason": reason, "to_tier": target}, as_json)


@commands.command()
def note(
    incident: IncidentArg,
    text: Annotated[str, typer.Option(help=field_help(cmd.AddNote, "text"))],
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add an internal note to the timeline (not sent to clients)."""
    act(incident, "add_note", {"by": actor(by), "text": text}, as_json)


@commands.command()
def update(
    incident: IncidentArg,
    message: Annotated[str, typer.Option(help=field_help(cmd.PostUpdate, "message"))],
    by: ByOption = None,
    eta: Annotated[str | None, typer.Option(help=field_help(cmd.PostUpdate, "eta"))] = None,
    as_json: JsonOption = False,
) -> None:
    """Post a status update to the affected clients."""
    act(incident, "post_update", {"by": actor(by), "message": message, "eta": eta}, as_json)


@commands.command()
def severity(
    incident: IncidentArg,
    new_severity: Annotated[
        str, typer.Argument(metavar="SEVERITY", help=field_help(cmd.ChangeSeverity, "severity"))
    ],
    by: ByOption = None,
    reason: Annotated[
        str | None, typer.Option(help=field_help(cmd.ChangeSeverity, "reason"))
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Reclassify the incident; its SLAs follow the new severity."""
    payload = {"by": actor(by), "severity": new_severity, "reason": reason}
    act(incident, "change_severity", payload, as_json)


@commands.command()
def resolve(
    incident: IncidentArg,
    *,
    cause: Annotated[str, typer.Option(help=field_help(cmd.Resolve, "cause"))],
    resolution: Annotated[str, typer.Option(help=field_help(cmd.Resolve, "resolution"))],
    by: ByOption = None,
    prevent: Annotated[
        list[str] | None,
        typer.Option(help=field_help(cmd.Resolve, "preventive_measures") + " (repeatable)"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Resolve: record the cause, the fix and how to prevent it."""
    payload = {
        "by": actor(by),
        "cause": cause,
        "resolution": resolution,
        "preventive_measures": prevent or [],
    }
    act(incident, "resolve", payload, as_json)


@commands.command()
def reopen(
    incident: IncidentArg,
    reason: Annotated[str, typer.Option(help=field_help(cmd.Reopen, "reason"))],
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reopen a resolved incident; tier 1 is paged again."""
    act(incident, "reopen", {"by": actor(by), "reason": reason}, as_json)


@commands.command()
def review(
    incident: IncidentArg,
    by: ByOption = None,
    owner: Annotated[str | None, typer.Option(help=field_help(cmd.StartReview, "owner"))] = None,
    as_json: JsonOption = False,
) -> None:
    """Start the post-incident review (the start_review verb)."""
    act(incident, "start_review", {"by": actor(by), "owner": owner}, as_json)
