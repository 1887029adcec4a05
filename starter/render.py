"""How the CLI shows things to people (Rich tables) and to scripts (JSON on stdout)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from activities.report_rendering import RenderedReport
from escalation.contract import CommandResult
from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.receipts import NOT_ARRIVED
from escalation.stats import Figures, IncidentStats
from escalation.time_text import human_duration, relative, utc_clock
from starter.listing import IncidentListing
from starter.opening import OpenedIncident

STATUS_STYLES = {
    "triggered": "bold red",
    "acknowledged": "bold yellow",
    "resolved": "bold green",
    "closed": "dim",
}


def show(value: BaseModel | Sequence[BaseModel], as_json: bool, human: Callable[[], None]) -> None:
    """What every command with `--json` does: JSON for scripts when asked, else `human()`."""
    if as_json:
        print_json(value)
    else:
        human()


def print_json(value: BaseModel | Sequence[BaseModel]) -> None:
    """Machine-readable output: plain JSON on stdout, never wrapped or coloured."""
    if isinstance(value, BaseModel):
        print(value.model_dump_json(indent=2))
    else:
        print(json.dumps([item.model_dump(mode="json") for item in value], indent=2))


def opened(console: Console, incident: OpenedIncident) -> None:
    """The result of `escalation open`."""
    verb = "Joined open incident" if incident.attached else "Opened incident"
    console.print(f"{verb} [bold]{incident.workflow_id}[/bold]: {escape(incident.summary)}")
    if incident.attached:
        console.print("The alert was added to the incident (dedup key matched).")
    console.print(f"Follow it: escalation status {incident.key}")


def command_result(console: Console, result: CommandResult) -> None:
    """The answer to an accepted verb."""
    style = STATUS_STYLES.get(result.status, "")
    console.print(
        f"{result.verb} accepted: {result.incident_id} is [{style}]{result.status}[/] "
        f"({result.severity}, tier {result.tier})"
    )
    if result.message and result.message != result.verb:
        console.print(Text(result.message))


def status(console: Console, state: IncidentState, now: datetime | None = None) -> None:
    """The readable `escalation status` view: header, SLA clocks, timeline, notifications."""
    now = now or datetime.now(UTC)
    style = STATUS_STYLES.get(state.status, "")
    console.print(Text(f"{state.incident_id}: {state.title}", style="bold"))
    console.print(
        f"[{style}]{state.status.upper()}[/] · severity [bold]{escape(state.severity)}[/] · "
        f"service {escape(state.service)} · tier {state.tier}"
    )
    console.print(Text(f"Classified: {state.classification.rule}", style="dim"))
    if state.clients_affected or state.users_affected:
        console.print(
            Text(
                f"Impact: {state.users_affected} users · clients: "
                f"{', '.join(state.clients_affected) or '-'} · alerts: {state.alerts_received}"
            )
        )
    for line in _ownership(state, now):
        console.print(Text(line))
    console.print(_sla_table(state, now))
    console.print(_timeline_table(state))
    if state.rejections:
        shown = sum(1 for entry in state.timeline if entry.kind == "rejected")
        console.print(
            Text(f"Signals rejected: {state.rejections} ({shown} with a line above)", style="red")
        )
    if state.notifications:
        console.print(_notifications_table(state))
    else:
        console.print("No notifications yet.")


def _ownership(state: IncidentState, now: datetime) -> list[str]:
    lines = [f"Opened {utc_clock(state.opened_at)} ({relative(state.opened_at - now)})"]
    if state.acknowledged_by:
        lines.append(
            f"Acknowledged by {state.acknowledged_by} at {utc_clock(state.acknowledged_at)}"
        )
    if state.resolved_by:
        lines.append(f"Resolved by {state.resolved_by} at {utc_clock(state.resolved_at)}")
        if state.resolution:
            lines.append(f"Cause: {state.resolution.cause} · fix: {state.resolution.resolution}")
    if state.closed_at:
        lines.append(f"Closed at {utc_clock(state.closed_at)}")
    if state.review_owner or state.review_workflow_id:
        lines.append(
            f"Review: owner {state.review_owner or '-'} · {state.review_workflow_id or 'pending'}"
        )
    return lines


def _sla_table(state: IncidentState, now: datetime) -> Table:
    sla = state.sla
    table = Table(title="SLA clocks", title_justify="left")
    table.add_column("clock")
    table.add_column("due")
    table.add_column("remaining")
    table.add_column("state")
    ack_met = state.acknowledged_at is not None or not state.is_open
    resolve_met = state.resolved_at is not None or state.status == "closed"
    for name, due, breached, met in (
        ("acknowledge", sla.ack_due, sla.ack_breached, ack_met),
        ("resolve", sla.resolve_due, sla.resolve_breached, resolve_met),
    ):
        if breached:
            verdict = Text("BREACHED", style="bold red")
        elif met:
            verdict = Text("met", style="green")
        elif due <= now:
            verdict = Text("overdue", style="bold red")
        else:
            verdict = Text("running", style="yellow")
        remaining = "-" if met else relative(due - now)
        table.add_row(name, utc_clock(due), remaining, verdict)
    return table


def _log_table(title: str, *columns: str) -> Table:
    """A log in time order: the UTC time of day first, never wrapped."""
    table = Table(title=title, title_justify="left")
    table.add_column("at (UTC)", no_wrap=True)
    for column in columns:
        table.add_column(column)
    return table


def _timeline_table(state: IncidentState) -> Table:
    table = _log_table("Timeline", "event", "by", "detail")
    for entry in state.timeline:
        style = "red" if entry.kind in {"rejected", "sla_breach"} else ""
        table.add_row(
            entry.at.astimezone(UTC).strftime("%H:%M:%S"),
            Text(entry.kind, style=style),
            Text(entry.attribution),
            Text(entry.detail),
        )
    return table


def _notifications_table(state: IncidentState) -> Table:
    table = _log_table("Notifications", "channel", "to", "purpose", "status")
    for record in state.notifications:
        style = "red" if record.status == "failed" or record.delivery in NOT_ARRIVED else ""
        to = f"{record.recipient} <{record.to}>" if record.recipient else record.to
        shown = record.status + (f": {record.error}" if record.error else "")
        if record.delivery:  # what the provider reported later
            why = f": {record.delivery_error}" if record.delivery_error else ""
            shown += f", then {record.delivery}{why}"
        table.add_row(
            record.at.astimezone(UTC).strftime("%H:%M:%S"),
            record.channel,
            Text(to),
            record.purpose,
            Text(shown, style=style),
        )
    return table


def incident_list(console: Console, incidents: Sequence[IncidentListing]) -> None:
    """`escalation list` as a table, newest first."""
    if not incidents:
        console.print("No incidents match.")
        return
    table = Table()
    for column in ("incident", "status", "severity", "tier", "opened (UTC)"):
        table.add_column(column, no_wrap=True)
    table.add_column("summary")
    for incident in incidents:
        style = STATUS_STYLES.get(incident.status or "", "")
        table.add_row(
            Text(incident.key),
            Text(incident.status or "-", style=style),
            Text(incident.severity or "-"),
            str(incident.tier) if incident.tier is not None else "-",
            incident.started_at.astimezone(UTC).strftime("%m-%d %H:%M"),
            Text(_without_severity(incident.summary) or incident.service or "-"),
        )
    console.print(table)


def _without_severity(summary: str | None) -> str | None:
    """`payments: checkout failing`: the summary's `[severity]` is as of opening; the column
    next to it is current."""
    return re.sub(r"^\[[^\]]*\]\s*", "", summary) if summary else None


def policy_summary(policy: Policy) -> str:
    """One line saying what a policy holds, after `OK: <file>`."""
    return (
        f"{len(policy.severities)} severities ({', '.join(policy.severities)}), "
        f"{len(policy.tiers)} tiers, {len(policy.contacts)} contacts, "
        f"{len(policy.clients)} clients, {len(policy.classification)} classification rules"
    )


def policy_ok(console: Console, path: Path, policy: Policy) -> None:
    """`escalation policy check` on a good file."""
    console.print(Text(f"OK: {path}"), soft_wrap=True)
    console.print(Text(policy_summary(policy)), soft_wrap=True)


def report(rendered: RenderedReport) -> None:
    """The Markdown report on stdout, exactly as rendered (no markup, no wrapping): pipe it."""
    print(rendered.markdown, end="")


def incident_stats(console: Console, stats: IncidentStats, scope: str) -> None:
    """`escalation stats`: overall, by service, by severity, by tier reached, top causes."""
    console.print(Text(f"{stats.overall.incidents} closed incidents {scope}", style="bold"))
    if not stats.overall.incidents:
        return
    console.print(_figures_table("Overall", {"all": stats.overall}))
    console.print(_figures_table("By service", stats.by_service))
    console.print(_figures_table("By severity", stats.by_severity))
    by_tier = {f"tier {tier}": figures for tier, figures in stats.by_tier_reached.items()}
    console.print(_figures_table("By tier reached", by_tier))
    if stats.top_causes:
        table = Table(title="Most frequent causes", title_justify="left")
        table.add_column("cause")
        table.add_column("incidents", justify="right")
        for cause in stats.top_causes:
            table.add_row(Text(cause.cause), str(cause.count))
        console.print(table)


_FIGURE_COLUMNS = (
    "incidents",
    "MTTA mean",
    "MTTA median",
    "MTTR mean",
    "MTTR median",
    "ack breached",
    "resolve breached",
    "beyond tier 1",
    "to management",
)


def _figures_table(title: str, groups: dict[str, Figures]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for column in _FIGURE_COLUMNS:
        table.add_column(column, justify="right")
    for name, f in groups.items():
        table.add_row(
            Text(name),
            str(f.incidents),
            _maybe_duration(f.mtta_mean),
            _maybe_duration(f.mtta_median),
            _maybe_duration(f.mttr_mean),
            _maybe_duration(f.mttr_median),
            _share(f.ack_breaches, f.ack_breach_rate),
            _share(f.resolve_breaches, f.resolve_breach_rate),
            f"{f.escalated_beyond_tier_1} ({f.tier_pages_beyond_tier_1} pages)",
            f"{f.escalated_to_management} ({f.management_escalations} times)",
        )
    return table


def _maybe_duration(value: timedelta | None) -> str:
    return human_duration(value) if value is not None else "-"


def _share(count: int, rate: float) -> str:
    return f"{count} ({rate:.0%})"
