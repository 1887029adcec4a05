"""`escalation archive backfill`, `escalation show` and `escalation list --all`: the archive.

They read `ESCALATION_ARCHIVE_URL` (SQLite under `.escalation/` when unset), as the worker
writes it; the archive is migrated on first use, so an empty one simply lists nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from temporalio.client import Client

from activities.archive.database import Archive, archive_url
from activities.archive.reads import IncidentQuery, find_incident, find_incidents
from escalation.incident import IncidentState
from starter import render
from starter.archive_backfill import backfill
from starter.listing import IncidentListing

out = Console(highlight=False, soft_wrap=True)
archive_app = typer.Typer(help="The incident archive (a SQL database).", no_args_is_help=True)


def open_archive() -> Archive:
    """The configured archive; `error:` on a bad URL or a database that cannot be reached."""
    try:
        archive = Archive(archive_url())
        archive.engine  # noqa: B018 - connects and migrates now, so failures are one line
    except Exception as error:
        typer.echo(f"error: archive {_where()}: {error}", err=True)
        raise typer.Exit(1) from None
    return archive


def _where() -> str:
    try:
        return Archive(archive_url()).url.render_as_string(hide_password=True)
    except ValueError as error:
        return str(error)


def register(app: typer.Typer, run: Callable[[Callable[[Client], Awaitable[Any]]], Any]) -> None:
    """Add `escalation archive ...` and `escalation show` to the CLI; `run` connects to
    Temporal and turns failures into one `error:` line (starter.cli's)."""

    @archive_app.command("backfill")
    def backfill_(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Copy every incident and review Temporal still holds into the archive."""
        archive = open_archive()
        done = run(lambda client: backfill(client, archive.engine))
        if as_json:
            render.print_json(done)
            return
        out.print(
            f"archived {done.incidents} incidents and {done.reviews} reviews "
            f"({done.unchanged} already up to date) into {_where()}"
        )
        for workflow_id in done.unreadable:
            out.print(f"skipped {workflow_id}: no result and no answer to a query")

    app.add_typer(archive_app, name="archive")
    app.command("show")(show)


def show(
    incident: Annotated[str, typer.Argument(help="Incident key or workflow id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON")] = False,
) -> None:
    """Show an archived incident (closed ones too) as `escalation status` shows a live one."""
    archive = open_archive()
    state = find_incident(archive.engine, incident)
    if state is None:
        typer.echo(f"error: {incident} is not in the archive ({_where()})", err=True)
        raise typer.Exit(1)
    render.show(state, as_json, lambda: render.status(out, state, now=_as_of(state)))


def list_archived(query: IncidentQuery, as_json: bool) -> None:
    """`escalation list --all`: from the archive, closed incidents included."""
    archive = open_archive()
    incidents = find_incidents(archive.engine, query)
    render.show(
        incidents,
        as_json,
        lambda: render.incident_list(out, [listing(state) for state in incidents]),
    )


def listing(state: IncidentState) -> IncidentListing:
    """An archived incident as a row of `escalation list`."""
    return IncidentListing(
        workflow_id=state.incident_id,
        key=state.key,
        summary=state.title,
        status=state.status,
        severity=state.severity,
        service=state.service,
        tier=state.tier,
        started_at=state.opened_at,
        closed_at=state.closed_at,
        execution_status=None,
    )


def since(window: timedelta | None) -> datetime | None:
    return datetime.now(UTC) - window if window is not None else None


def _as_of(state: IncidentState) -> datetime | None:
    """A closed incident's clocks read as of its close, not as overdue today."""
    return state.closed_at
