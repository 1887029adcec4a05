"""`escalation analytics`: figures over months of archived incidents and their reviews.

Pure computation over plain records. Every measure is `escalation.stats`'s (itself the final
report's): MTTA, MTTR, breaches and tiers reached are counted by the same functions, so a
figure here and in `escalation stats` agree on the same incidents.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field

from escalation.incident import IncidentState
from escalation.incident_measures import (
    breaches,
    engagements,
    time_to_acknowledge,
    time_to_resolve,
)
from escalation.policy import Policy
from escalation.review import ReviewState
from escalation.stats import CauseCount, Figures, figures, incident_stats, top_causes

TOP = 10


class Spread(BaseModel):
    """A duration's distribution over a group: count, median (as `stats`), 90th percentile."""

    count: int
    median: timedelta | None
    p90: timedelta | None = Field(description="Nearest-rank 90th percentile")
    mean: timedelta | None


class Week(BaseModel):
    """Incidents opened in the ISO week starting `week` (a Monday)."""

    week: date
    incidents: int
    mtta: Spread
    mttr: Spread


class Compliance(BaseModel):
    """Share of a group's incidents whose SLA was met (1 - `stats`' breach rate)."""

    incidents: int
    ack_breaches: int
    resolve_breaches: int
    ack_compliance: float
    resolve_compliance: float


class BreachPlace(BaseModel):
    """Where breaches happened: which clock, under which tier."""

    clock: str
    tier: str = Field(description="The tier last paged before the breach")
    count: int


class Ranked(BaseModel):
    """A service or category by incident count and time lost (open to resolved, or to now)."""

    name: str
    incidents: int
    time_lost: timedelta


class ActionItems(BaseModel):
    """Preventive action items of the reviews: done, open (not yet due) and overdue."""

    done: int
    open: int
    overdue: int


class FeedbackLine(BaseModel):
    incident_id: str
    by: str
    at: datetime
    text: str


class Analytics(BaseModel):
    """Everything the analytics page shows, and `--json` prints."""

    since: datetime | None
    until: datetime
    overall: Figures
    weekly: list[Week]
    compliance_by_severity: dict[str, Compliance]
    compliance_by_client: dict[str, Compliance]
    breaches: dict[str, int] = Field(description="By clock: acknowledge, resolve")
    breach_places: list[BreachPlace]
    depth: dict[str, int] = Field(
        description="Incidents by the highest tier reached, and management"
    )
    top_services: list[Ranked]
    top_categories: list[Ranked]
    recurring_causes: list[CauseCount]
    action_items: ActionItems
    feedback: list[FeedbackLine]


def analytics(
    incidents: Sequence[IncidentState],
    reviews: Iterable[ReviewState],
    *,
    now: datetime,
    since: datetime | None = None,
    policy: Policy | None = None,
    top: int = TOP,
) -> Analytics:
    """The figures of these incidents (already filtered) and of their reviews, as of `now`."""
    stats = incident_stats(incidents, policy, top=top)
    places = breach_places(incidents)
    reviews = list(reviews)
    return Analytics(
        since=since,
        until=now,
        overall=stats.overall,
        weekly=weekly(incidents),
        compliance_by_severity={k: compliance(f) for k, f in stats.by_severity.items()},
        compliance_by_client={
            client: compliance(figures(group)) for client, group in _by_client(incidents).items()
        },
        breaches={
            "acknowledge": stats.overall.ack_breaches,
            "resolve": stats.overall.resolve_breaches,
        },
        breach_places=places,
        depth={f"tier {n}": f.incidents for n, f in stats.by_tier_reached.items()}
        | {"management": stats.overall.escalated_to_management},
        top_services=ranked(incidents, lambda i: i.service, now, top),
        top_categories=ranked(incidents, lambda i: i.category or "uncategorised", now, top),
        recurring_causes=[c for c in top_causes(incidents, top) if c.count > 1],
        action_items=action_items(reviews, now),
        feedback=[
            FeedbackLine(incident_id=r.incident_id, by=f.by, at=f.at, text=f.text)
            for r in reviews
            for f in r.feedback
        ],
    )


def spread(values: Sequence[timedelta]) -> Spread:
    if not values:
        return Spread(count=0, median=None, p90=None, mean=None)
    ordered = sorted(values)
    seconds = statistics.median(v.total_seconds() for v in ordered)
    return Spread(
        count=len(ordered),
        median=timedelta(seconds=seconds),
        p90=ordered[math.ceil(0.9 * len(ordered)) - 1],
        mean=sum(ordered, timedelta()) / len(ordered),
    )


def weekly(incidents: Iterable[IncidentState]) -> list[Week]:
    """MTTA and MTTR of the incidents opened each week (weeks with none are left out)."""
    weeks: dict[date, list[IncidentState]] = {}
    for incident in incidents:
        opened = incident.opened_at.date()
        weeks.setdefault(opened - timedelta(days=opened.weekday()), []).append(incident)
    return [
        Week(
            week=week,
            incidents=len(group),
            mtta=spread([t for t in map(time_to_acknowledge, group) if t is not None]),
            mttr=spread([t for t in map(time_to_resolve, group) if t is not None]),
        )
        for week, group in sorted(weeks.items())
    ]


def compliance(group: Figures) -> Compliance:
    return Compliance(
        incidents=group.incidents,
        ack_breaches=group.ack_breaches,
        resolve_breaches=group.resolve_breaches,
        ack_compliance=1 - group.ack_breach_rate if group.incidents else 1.0,
        resolve_compliance=1 - group.resolve_breach_rate if group.incidents else 1.0,
    )


def breach_places(incidents: Iterable[IncidentState]) -> list[BreachPlace]:
    """Each recorded breach by clock and by the tier that had last been paged, most first."""
    counts: dict[tuple[str, str], int] = {}
    for incident in incidents:
        paged = [e for e in engagements(incident) if e.kind != "escalated"]
        for breach in breaches(incident):
            before = [e.tier for e in paged if e.at <= breach.at]
            place = (breach.clock, before[-1] if before else "none")
            counts[place] = counts.get(place, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [BreachPlace(clock=c, tier=t, count=n) for (c, t), n in ordered]


def ranked(
    incidents: Iterable[IncidentState],
    name: Callable[[IncidentState], str],
    now: datetime,
    top: int,
) -> list[Ranked]:
    """By count, then time lost: time to resolve, or open until `now` while unresolved."""
    groups: dict[str, list[IncidentState]] = {}
    for incident in incidents:
        groups.setdefault(name(incident), []).append(incident)
    rows = [
        Ranked(name=key, incidents=len(group), time_lost=sum(map(_lost(now), group), timedelta()))
        for key, group in groups.items()
    ]
    return sorted(rows, key=lambda r: (-r.incidents, -r.time_lost, r.name))[:top]


def action_items(reviews: Iterable[ReviewState], now: datetime) -> ActionItems:
    done = open_ = overdue = 0
    for item in (item for review in reviews for item in review.action_items):
        if not item.is_open:
            done += 1
        elif item.due is not None and item.due < now:
            overdue += 1
        else:
            open_ += 1
    return ActionItems(done=done, open=open_, overdue=overdue)


def _lost(now: datetime) -> Callable[[IncidentState], timedelta]:
    return lambda incident: time_to_resolve(incident) or (now - incident.opened_at)


def _by_client(incidents: Iterable[IncidentState]) -> dict[str, list[IncidentState]]:
    groups: dict[str, list[IncidentState]] = {}
    for incident in incidents:
        for client in dict.fromkeys(incident.clients_affected):
            groups.setdefault(client, []).append(incident)
    return dict(sorted(groups.items()))
