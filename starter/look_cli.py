"""Looking at incidents: one incident's status, the list, the final report and the statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError

from activities.archive.reads import IncidentQuery
from activities.report_rendering import render_report
from escalation.contract_stats import client_contract_stats, client_key
from escalation.durations import Duration
from escalation.incident import IncidentState
from escalation.policy_loader import PolicyInvalid, load_policy, policy_path
from escalation.report_building import build_report
from escalation.stats import TOP_CAUSES, incident_stats
from starter import archive_cli, render
from starter.cli_support import (
    IncidentArg,
    JsonOption,
    ServiceOption,
    answer_timeout,
    fail,
    local_policy,
    out,
    run,
)
from starter.contract_view import client_contract
from starter.errors import explain
from starter.incidents import incident_status
from starter.listing import list_incidents
from starter.records import completed_incidents, incident_record

commands = typer.Typer()


@commands.command()
def status(incident: IncidentArg, as_json: JsonOption = False) -> None:
    """Show one incident: status, SLA clocks, timeline and notifications."""
    state = run(lambda client: incident_status(client, incident), timeout=answer_timeout())
    render.show(state, as_json, lambda: render.status(out, state))


@commands.command("list")
def list_(
    *,
    status: Annotated[str | None, typer.Option(help="triggered, acknowledged, ...")] = None,
    severity: Annotated[str | None, typer.Option(help="A severity from the policy")] = None,
    service: Annotated[str | None, typer.Option(help="The affected service")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many")] = 50,
    as_json: JsonOption = False,
    all_: Annotated[bool, typer.Option("--all", help="From the archive: closed ones too")] = False,
    client: Annotated[str | None, typer.Option(help="With --all: affecting this client")] = None,
    since: Annotated[str | None, typer.Option(help="With --all: opened within 30d, 12h...")] = None,
    text: Annotated[str | None, typer.Option(help="With --all: in the title or cause")] = None,
) -> None:
    """List incidents, newest first, filtered by status, severity or service."""
    if all_:
        window = since_window(since) if since else None
        query = IncidentQuery(
            service, client, severity, archive_cli.since(window), text, limit, status
        )
        return archive_cli.list_archived(query, as_json)
    incidents = run(
        lambda client: list_incidents(client, status, severity, service, limit),
        timeout=answer_timeout(),
    )
    render.show(incidents, as_json, lambda: render.incident_list(out, incidents))


@commands.command("report")
def report_(
    incident: IncidentArg,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as HTML to this file")
    ] = None,
    for_client: Annotated[
        bool,
        typer.Option(
            "--client",
            help="The client version: no internal notes, rejections, management or addresses",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report's facts as JSON")
    ] = False,
) -> None:
    """Print the final report as Markdown (SLA figures from the current policy file)."""
    try:
        policy = load_policy(policy_path())
    except PolicyInvalid as error:
        fail(explain(error))
    record = run(lambda client: incident_record(client, incident), timeout=answer_timeout())
    facts = build_report(
        record.state, policy, record.review, audience="client" if for_client else "internal"
    )
    rendered = render_report(facts)
    if html is not None:
        try:
            html.write_text(rendered.html, encoding="utf-8")
        except OSError as error:
            fail(f"cannot write {html}: {error.strerror or error}")
    render.show(facts, as_json, lambda: render.report(rendered))
    if html is not None:
        typer.echo(f"HTML report written to {html}", err=True)


@commands.command()
def stats(
    *,
    since: Annotated[
        str, typer.Option(help="Incidents closed within this long: 12h, 30d, 2w or ISO 8601")
    ] = "30d",
    service: ServiceOption = None,
    client_name: Annotated[
        str | None,
        typer.Option(
            "--client", help="One client's contract: each target, business time used, met or missed"
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="At most this many incidents (newest first)")
    ] = 1000,
    top: Annotated[int, typer.Option(min=1, max=100, help="How many causes to list")] = TOP_CAUSES,
    as_json: JsonOption = False,
) -> None:
    """MTTA, MTTR, SLA breach rates and escalations of closed incidents, grouped."""
    window = since_window(since)
    closed_since = datetime.now(UTC) - window
    incidents = run(
        lambda client: completed_incidents(
            client, closed_since=closed_since, service=service, limit=limit
        ),
        timeout=answer_timeout(),
    )
    scope = f"in the last {since.strip()}" + (f" for {service}" if service else "")
    if client_name is not None:
        show_client_contract(incidents, client_name, scope, as_json)
        return
    figures = incident_stats(incidents, local_policy(), top=top)
    render.show(figures, as_json, lambda: render.incident_stats(out, figures, scope))


def show_client_contract(
    incidents: list[IncidentState], name: str, scope: str, as_json: bool
) -> None:
    """`stats --client`: the client's contract targets on each closed incident."""
    policy = local_policy()
    key = client_key(policy, name)
    if key is None:
        fail(f"--client: unknown client {name!r} (one of: {', '.join(policy.clients)})")
    stats = client_contract_stats(incidents, policy, key)
    render.show(stats, as_json, lambda: client_contract(out, stats, scope))


def since_window(since: str) -> timedelta:
    """`--since` read like the policy's durations."""
    try:
        return TypeAdapter(Duration).validate_python(since)
    except ValidationError as error:
        fail(f"--since: {explain(error).removeprefix('argument: ')}")
