"""What `escalation oncall` and `policy check` show: who is on call, hand-offs and gaps.

Reads calendar feeds (client side) and asks the pure resolution; the models are the `--json`
output, so a script sees the same facts a person reads.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from activities.calendar_feeds import ScheduleCalendars, schedule_calendars
from escalation.oncall import DEFAULT_HORIZON, OnCallShift, Roster
from escalation.policy import Policy
from escalation.schedules import Override

LOOKBACK = timedelta(days=31)
"""How far back `escalation oncall` looks for when the current turn began."""
GAP_WINDOW = timedelta(days=14)
"""How far ahead `escalation policy check` looks for hours a schedule has nobody on call."""


class OnCallTurn(BaseModel):
    """One stretch of one answer: who (None for nobody), from when, until when, from where."""

    who: str | None = Field(description="Contact key; null when nobody is on call")
    name: str | None = Field(description="The contact's display name")
    source: str | None = Field(description="`override`, or the layer that has them")
    start: datetime | None = Field(description="Null when it began more than 31 days before")
    end: datetime | None = Field(description="Null when nothing changes within 90 days")


class ScheduleOnCall(BaseModel):
    """A schedule at an instant: who is on call and the next hand-offs."""

    schedule: str
    time_zone: str
    on_call: OnCallTurn
    next: list[OnCallTurn]
    warnings: list[str] = Field(description="Calendar events that name no contact")
    overrides: list[Override] = Field(
        default=[], description="Overrides held for this schedule that have not ended"
    )


class TierOnCall(BaseModel):
    """A tier that names a schedule, and whom that schedule has on call."""

    tier: int = Field(description="1-based tier number")
    name: str
    schedule: str
    who: str | None
    contacts: list[str] = Field(description="The tier's contacts, paged besides the on-call")
    pages: list[str] = Field(
        default=[], description="Whom a page of the tier reaches now: contacts and the on-call"
    )


class OnCallReport(BaseModel):
    """`escalation oncall --json`."""

    at: datetime
    schedules: list[ScheduleOnCall]
    tiers: list[TierOnCall]


class ScheduleGap(BaseModel):
    """Hours when a tier paging a schedule would find nobody."""

    tier: int
    name: str
    schedule: str
    start: datetime
    end: datetime


def on_call_report(
    policy: Policy,
    policy_dir: Path,
    at: datetime,
    count: int,
    only: str | None = None,
    *,
    overrides: list[Override] | None = None,
) -> OnCallReport:
    """Who is on call at `at` for each schedule (or only one), its next `count` hand-offs, and
    whom each tier naming a schedule would reach; `overrides` as the schedule workflows hold them."""
    names = [only] if only else list(policy.schedules)
    held = overrides or []
    views = [_schedule_view(policy, name, policy_dir, at, count, overrides=held) for name in names]
    by_name = {view.schedule: view for view in views}
    tiers = [
        TierOnCall(
            tier=number,
            name=tier.name,
            schedule=tier.schedule,
            who=by_name[tier.schedule].on_call.who,
            contacts=tier.contacts,
            pages=_pages(tier.contacts, by_name[tier.schedule].on_call.who),
        )
        for number, tier in enumerate(policy.tiers, start=1)
        if tier.schedule is not None and tier.schedule in by_name
    ]
    return OnCallReport(at=at, schedules=views, tiers=tiers)


def schedule_gaps(
    policy: Policy, policy_dir: Path, start: datetime, window: timedelta = GAP_WINDOW
) -> tuple[list[ScheduleGap], list[str]]:
    """Gaps of every schedule a tier pages, from `start` for `window`, and calendar warnings."""
    found: list[ScheduleGap] = []
    warnings: list[str] = []
    read: dict[str, ScheduleCalendars] = {}
    for number, tier in enumerate(policy.tiers, start=1):
        if tier.schedule is None:
            continue
        if tier.schedule not in read:
            read[tier.schedule] = schedule_calendars(
                policy, tier.schedule, policy_dir, start, start + window
            )
            warnings += read[tier.schedule].unnamed
        roster = Roster(
            name=tier.schedule,
            schedule=policy.schedules[tier.schedule],
            calendars=read[tier.schedule].shifts,
        )
        found += [
            ScheduleGap(
                tier=number, name=tier.name, schedule=tier.schedule, start=s.start, end=s.end
            )
            for s in roster.gaps(start, start + window)
        ]
    return found, warnings


def _pages(contacts: list[str], who: str | None) -> list[str]:
    return [*contacts, who] if who is not None and who not in contacts else list(contacts)


def _schedule_view(
    policy: Policy,
    name: str,
    policy_dir: Path,
    at: datetime,
    count: int,
    *,
    overrides: list[Override],
) -> ScheduleOnCall:
    first, last = at - LOOKBACK, at + DEFAULT_HORIZON
    calendars = schedule_calendars(policy, name, policy_dir, first, last)
    mine = [override for override in overrides if override.schedule == name]
    roster = Roster(
        name=name, schedule=policy.schedules[name], overrides=mine, calendars=calendars.shifts
    )
    current = next(shift for shift in roster.timeline(first, last) if shift.start <= at < shift.end)
    upcoming = roster.hand_offs(at, count)
    return ScheduleOnCall(
        schedule=name,
        time_zone=roster.schedule.time_zone,
        on_call=_turn(policy, current, first, last),
        next=[_turn(policy, shift, first, last) for shift in upcoming],
        warnings=calendars.unnamed,
        overrides=mine,
    )


def _turn(policy: Policy, shift: OnCallShift, first: datetime, last: datetime) -> OnCallTurn:
    name = None
    if shift.who is not None and shift.who in policy.contacts:
        name = policy.contact(shift.who).name
    return OnCallTurn(
        who=shift.who,
        name=name,
        source=shift.source,
        start=None if shift.start <= first else shift.start,
        end=None if shift.end >= last else shift.end,
    )
