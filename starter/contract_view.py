"""`escalation stats --client`: one client's contract targets as a table, incident by incident."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from escalation.contract_stats import ClientContractStats
from escalation.time_text import human_duration, utc_clock


def client_contract(console: Console, stats: ClientContractStats, scope: str) -> None:
    """Per incident and target: the target, business time used (pauses excluded), the verdict."""
    count = len(stats.incidents)
    console.print(Text(f"{stats.client}: {count} closed incidents under contract {scope}", "bold"))
    if not count:
        return
    table = Table(title=f"{stats.client} contract targets", title_justify="left")
    for column in ("incident", "opened", "severity", "contract", "target", "used", "paused"):
        table.add_column(column)
    table.add_column("met or missed")
    for row in stats.incidents:
        for outcome in row.outcomes:
            table.add_row(
                Text(row.incident_id),
                utc_clock(row.opened_at, seconds=False),
                Text(row.severity),
                Text(f"{outcome.contract or '-'} ({outcome.calendar})"),
                f"{outcome.clock} {human_duration(outcome.target)}",
                human_duration(outcome.used) if outcome.used is not None else "-",
                human_duration(outcome.paused) if outcome.paused else "-",
                {"breached": "missed"}.get(outcome.verdict, outcome.verdict),
            )
    console.print(table)
    console.print(f"met {stats.met}, missed {stats.missed}, pending {stats.pending}")
