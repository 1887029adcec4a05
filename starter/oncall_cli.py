"""`escalation oncall` and the schedule-gap lines of `escalation policy check`.

Both read the policy and its calendar feeds on the client side: no Temporal server is needed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import click
import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from activities.calendar_feeds import CalendarUnavailable
from escalation.policy import Policy
from escalation.policy_loader import PolicyInvalid, load_policy, policy_path
from escalation.schedules import WEEKDAYS, carries_secret
from escalation.time_text import human_duration
from starter.common_options import PolicyOption
from starter.errors import explain
from starter.oncall_override_cli import override
from starter.oncall_overrides import read_overrides
from starter.oncall_view import (
    GAP_WINDOW,
    OnCallReport,
    OnCallTurn,
    ScheduleOnCall,
    on_call_report,
    schedule_gaps,
)

out = Console(highlight=False, soft_wrap=True)


class _ShowByDefault(TyperGroup):
    """`escalation oncall [SCHEDULE] [--at ...]` keeps working: whatever is not a subcommand
    goes to `show`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["show", *args]
        return super().parse_args(ctx, args)


def register(app: typer.Typer) -> None:
    """Add `escalation oncall` (show by default, and `override`) to the CLI."""
    group = typer.Typer(cls=_ShowByDefault, help="Who is on call, and overrides of schedules.")
    group.command("show")(oncall)
    group.command("override")(override)
    app.add_typer(group, name="oncall")


def oncall(
    schedule: Annotated[
        str | None,
        typer.Argument(metavar="SCHEDULE", help="One schedule from the policy (default: all)"),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="ISO 8601 instant, such as 2026-12-07T09:00+01:00 (no offset: this "
            "machine's zone); default now",
            show_default=False,
        ),
    ] = None,
    next_: Annotated[
        int,
        typer.Option("--next", min=0, max=100, help="How many hand-offs to list (within 90 days)"),
    ] = 3,
    policy_file: PolicyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON")] = False,
) -> None:
    """Who is on call now (or --at), and the next hand-offs, per schedule and per tier."""
    path = policy_file or policy_path()
    policy = _policy(path)
    if not policy.schedules:
        _fail(f"{path}: the policy has no `schedules:`")
    if schedule is not None and schedule not in policy.schedules:
        _fail(f"unknown schedule {schedule!r} (one of: {', '.join(policy.schedules)})")
    moment = _instant(at)
    overrides, unread = read_overrides([schedule] if schedule else list(policy.schedules))
    try:
        report = on_call_report(policy, path.parent, moment, next_, schedule, overrides=overrides)
    except CalendarUnavailable as error:
        _fail(str(error))
    if unread:
        typer.echo(f"warning: {unread}", err=True)
    if as_json:
        print(report.model_dump_json(indent=2))
        return
    _print_report(report, now=at is None)


def report_secret_links(policy: Policy) -> None:
    """After `policy check` says OK: calendar links that look private, named by their key (the
    link itself is not printed). A warning: the file works, but it leaks into every history."""
    for name, schedule in policy.schedules.items():
        for index, layer in enumerate(schedule.layers):
            if layer.calendar is not None and carries_secret(layer.calendar):
                typer.echo(
                    f"warning: schedules.{name}.layers[{index}].calendar looks like a private "
                    "link, and the policy is kept in every incident's history: put the link in "
                    "an environment variable of the worker and write `calendar: env:NAME`",
                    err=True,
                )


def report_gaps(console: Console, path: Path, policy: Policy) -> None:
    """After `policy check` says OK: hours in the next 14 days when a tier's schedule has nobody.

    Warnings only (the exit code stays 0): a gap is a staffing fact, not a broken file.
    """
    if not any(tier.schedule for tier in policy.tiers):
        return
    try:
        now = datetime.now().astimezone().replace(second=0, microsecond=0)
        found, warnings = schedule_gaps(policy, path.parent, now)
    except CalendarUnavailable as error:
        typer.echo(f"warning: {error}", err=True)
        return
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    days = GAP_WINDOW.days
    if not found:
        console.print(Text(f"Schedules: every tier has someone on call for the next {days} days"))
        return
    console.print(Text(f"Schedule gaps in the next {days} days (the tier finds nobody then):"))
    for gap in found:
        zone = ZoneInfo(policy.schedules[gap.schedule].time_zone)
        console.print(
            Text(
                f"  tier {gap.tier} {gap.name} (schedule {gap.schedule}): "
                f"{_clock(gap.start, zone)} to {_clock(gap.end, zone)} "
                f"({_hours(gap.end - gap.start)})"
            )
        )


def _print_report(report: OnCallReport, *, now: bool) -> None:
    when = "now" if now else f"at {report.at.isoformat()}"
    for view in report.schedules:
        zone = ZoneInfo(view.time_zone)
        out.print(Text(f"{view.schedule} ({view.time_zone})", style="bold"))
        out.print(Text(f"  on call {when}: {_person(view.on_call)}{_span(view.on_call, zone)}"))
        if view.next:
            out.print(Text("  next hand-offs:"))
        for turn in view.next:
            assert turn.start is not None  # a hand-off always has its moment
            out.print(Text(f"    {_clock(turn.start, zone)}  {_person(turn)}"))
        if view.overrides:
            out.print(Text("  overrides (the newest wins where they overlap):"))
        for held in view.overrides:
            span = f"{_clock(held.start, zone)} to {_clock(held.end, zone)}"
            out.print(Text(f"    {held.id}  {held.who}, {span}"))
        _print_warnings(view)
    if report.tiers:
        out.print(Text("Tiers", style="bold"))
    for tier in report.tiers:
        who = tier.who or "nobody"
        reach = ", ".join(tier.pages) or "nobody: the next tier is paged at once"
        out.print(
            Text(
                f"  tier {tier.tier} {tier.name}: schedule {tier.schedule} has {who}; pages {reach}"
            )
        )


def _print_warnings(view: ScheduleOnCall) -> None:
    for warning in view.warnings:
        typer.echo(f"warning: {warning}", err=True)


def _hours(span: timedelta) -> str:
    """`64h`, `7h 8m`: gaps are read in hours."""
    return human_duration(timedelta(minutes=round(span.total_seconds() / 60)), units="hm")


def _person(turn: OnCallTurn) -> str:
    if turn.who is None:
        return "nobody"
    label = f"{turn.name} ({turn.who})" if turn.name and turn.name != turn.who else turn.who
    return f"{label}, {turn.source}"


def _span(turn: OnCallTurn, zone: ZoneInfo) -> str:
    since = f", since {_clock(turn.start, zone)}" if turn.start else ", for over 31 days"
    until = f", until {_clock(turn.end, zone)}" if turn.end else ", for 90 days or more"
    return since + until


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    """`Mon 2026-12-07 09:00 CET`, in the schedule's zone (weekday names independent of locale)."""
    local = moment.astimezone(zone)
    return f"{WEEKDAYS[local.weekday()].capitalize()} {local:%Y-%m-%d %H:%M %Z}"


def _instant(at: str | None) -> datetime:
    if at is None:
        return datetime.now().astimezone()
    try:
        moment = datetime.fromisoformat(at.strip())
    except ValueError:
        _fail(f"--at: expected an ISO 8601 instant such as 2026-12-07T09:00+01:00, got {at!r}")
    return moment if moment.tzinfo else moment.astimezone()


def _policy(path: Path) -> Policy:
    try:
        return load_policy(path)
    except PolicyInvalid as error:
        _fail(explain(error))


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)
