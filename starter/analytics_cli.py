"""`escalation analytics`: the archive's figures as a self-contained HTML page or as JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from activities.analytics_page import render_analytics
from activities.archive.reads import IncidentQuery, find_incidents, find_reviews
from escalation.analytics import analytics
from escalation.policy import Policy
from starter import render
from starter.archive_cli import open_archive
from starter.cli_support import ServiceOption

EVERY_INCIDENT = 10_000_000


def register(
    app: typer.Typer, window: Callable[[str], timedelta], policy: Callable[[], Policy | None]
) -> None:
    """Add `escalation analytics`; `window` reads `--since` as `escalation stats` does, and
    `policy` is the local policy (it orders severities and ranks tiers), as for `stats`."""

    @app.command("analytics")
    def analytics_(
        since: Annotated[
            str, typer.Option(help="Incidents opened within: 90d, 12w, 1y...")
        ] = "90d",
        service: ServiceOption = None,
        client: Annotated[
            str | None, typer.Option(help="Only incidents affecting this client")
        ] = None,
        html: Annotated[Path | None, typer.Option("--html", help="Write the page here")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    ) -> None:
        """MTTA/MTTR by week, SLA compliance, breaches, escalation depth, causes, action items."""
        if html is None and not as_json:
            typer.echo("error: say where the figures go: --html FILE or --json", err=True)
            raise typer.Exit(1)
        now = datetime.now(UTC)
        start = now - window(since)
        archive = open_archive()
        query = IncidentQuery(service=service, client=client, since=start, limit=EVERY_INCIDENT)
        incidents = find_incidents(archive.engine, query)
        reviews = find_reviews(archive.engine, [i.incident_id for i in incidents]).values()
        figures = analytics(incidents, reviews, now=now, since=start, policy=policy())
        if html is not None:
            scope = f"last {since.strip()}" + "".join(
                f" · {what} {value}"
                for what, value in (("service", service), ("client", client))
                if value
            )
            try:
                html.write_text(render_analytics(figures, scope), encoding="utf-8")
            except OSError as error:
                typer.echo(f"error: cannot write {html}: {error.strerror or error}", err=True)
                raise typer.Exit(1) from None
            typer.echo(f"analytics of {len(incidents)} incidents written to {html}", err=True)
        if as_json:
            render.print_json(figures)
