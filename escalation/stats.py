"""Figures over many finished incidents: how fast we acknowledge and resolve, how often SLAs break.

Pure aggregation over the incidents' own records (the workflows' results), using the same
measures as the final report, so a number in `escalation stats` can be traced to the reports of
the incidents behind it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import TypeVar

from pydantic import BaseModel, Field

from escalation.incident import IncidentState
from escalation.incident_measures import (
    ack_breached,
    engagements,
    resolve_breached,
    time_to_acknowledge,
    time_to_resolve,
)
from escalation.policy import Policy

TOP_CAUSES = 5

K = TypeVar("K", str, int)


class Figures(BaseModel):
    """The measures of one group of incidents (all of them, one service, one severity...)."""

    incidents: int
    acknowledged: int = Field(description="Incidents someone acknowledged (the MTTA sample)")
    resolved: int = Field(description="Incidents with a resolution (the MTTR sample)")
    mtta_mean: timedelta | None
    mtta_median: timedelta | None
    mttr_mean: timedelta | None
    mttr_median: timedelta | None
    ack_breaches: int
    resolve_breaches: int
    ack_breach_rate: float = Field(description="Share of the group's incidents, 0 to 1")
    resolve_breach_rate: float = Field(description="Share of the group's incidents, 0 to 1")
    escalated_beyond_tier_1: int = Field(description="Incidents that paged a tier after tier 1")
    tier_pages_beyond_tier_1: int = Field(description="Pages and consults of tiers after tier 1")
    management_escalations: int = Field(description="Times management was told")
    escalated_to_management: int = Field(description="Incidents that reached management")


class CauseCount(BaseModel):
    """A cause, as normalised for counting, and the incidents that gave it."""

    cause: str
    count: int
    incidents: list[str]


class IncidentStats(BaseModel):
    """`escalation stats`: the figures overall and grouped, and the most frequent causes."""

    overall: Figures
    by_service: dict[str, Figures]
    by_severity: dict[str, Figures]
    by_tier_reached: dict[int, Figures]
    top_causes: list[CauseCount]


def incident_stats(
    incidents: Sequence[IncidentState], policy: Policy | None = None, *, top: int = TOP_CAUSES
) -> IncidentStats:
    """Aggregate finished incidents; the policy, when given, orders severities and ranks tiers."""
    severity_order = list(policy.severities) if policy else []
    return IncidentStats(
        overall=figures(incidents),
        by_service=_grouped(incidents, lambda i: i.service, sorted),
        by_severity=_grouped(
            incidents,
            lambda i: i.severity,
            lambda keys: sorted(keys, key=lambda s: _rank(s, severity_order)),
        ),
        by_tier_reached=_grouped(incidents, lambda i: tier_reached(i, policy), sorted),
        top_causes=top_causes(incidents, top),
    )


def figures(incidents: Sequence[IncidentState]) -> Figures:
    """MTTA, MTTR, breach rates and escalation counts of a group."""
    acks = [t for t in map(time_to_acknowledge, incidents) if t is not None]
    fixes = [t for t in map(time_to_resolve, incidents) if t is not None]
    ack_breaches = sum(map(ack_breached, incidents))
    resolve_breaches = sum(map(resolve_breached, incidents))
    beyond = [tier_pages_beyond_first(i) for i in incidents]
    management = [management_escalations(i) for i in incidents]
    count = len(incidents)
    return Figures(
        incidents=count,
        acknowledged=len(acks),
        resolved=len(fixes),
        mtta_mean=_mean(acks),
        mtta_median=_median(acks),
        mttr_mean=_mean(fixes),
        mttr_median=_median(fixes),
        ack_breaches=ack_breaches,
        resolve_breaches=resolve_breaches,
        ack_breach_rate=ack_breaches / count if count else 0.0,
        resolve_breach_rate=resolve_breaches / count if count else 0.0,
        escalated_beyond_tier_1=sum(1 for n in beyond if n),
        tier_pages_beyond_tier_1=sum(beyond),
        management_escalations=sum(management),
        escalated_to_management=sum(1 for n in management if n),
    )


def tier_pages_beyond_first(incident: IncidentState) -> int:
    """Pages and consults of any tier but the first (the opening always pages the first)."""
    tiers = [e.tier for e in engagements(incident) if e.kind != "escalated"]
    return sum(1 for tier in tiers if tier != tiers[0]) if tiers else 0


def management_escalations(incident: IncidentState) -> int:
    """How many times management was told (exhausted tiers, SLA breaches, by hand)."""
    return sum(1 for e in engagements(incident) if e.kind == "escalated")


def tier_reached(incident: IncidentState, policy: Policy | None = None) -> int:
    """The highest tier (1-based) paged or consulted; tier names are ranked by the policy."""
    ranks = {tier.name: n for n, tier in enumerate(policy.tiers, start=1)} if policy else {}
    paged = [ranks.get(e.tier, 0) for e in engagements(incident) if e.kind != "escalated"]
    return max([incident.tier, *paged])


def normalise_cause(cause: str) -> str:
    """`Expired TLS cert.` and ` expired  tls cert` count as one cause."""
    return re.sub(r"\s+", " ", cause).strip().strip(".!;:,").strip().lower()


def top_causes(incidents: Iterable[IncidentState], top: int = TOP_CAUSES) -> list[CauseCount]:
    """The most frequent causes, most frequent first (ties by first seen)."""
    seen: dict[str, list[str]] = {}
    for incident in incidents:
        if incident.resolution is None:
            continue
        cause = normalise_cause(incident.resolution.cause)
        if cause:
            seen.setdefault(cause, []).append(incident.incident_id)
    counts = Counter({cause: len(ids) for cause, ids in seen.items()})
    return [
        CauseCount(cause=cause, count=count, incidents=seen[cause])
        for cause, count in counts.most_common(top)
    ]


def _grouped(
    incidents: Sequence[IncidentState],
    key: Callable[[IncidentState], K],
    order: Callable[[Iterable[K]], list[K]],
) -> dict[K, Figures]:
    groups: dict[K, list[IncidentState]] = {}
    for incident in incidents:
        groups.setdefault(key(incident), []).append(incident)
    return {group: figures(groups[group]) for group in order(groups)}


def _rank(severity: str, order: list[str]) -> tuple[int, str]:
    return (order.index(severity) if severity in order else len(order), severity)


def _mean(values: Sequence[timedelta]) -> timedelta | None:
    return sum(values, timedelta()) / len(values) if values else None


def _median(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))
