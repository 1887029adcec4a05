"""Measures of one incident, from its own record: time to acknowledge and resolve, SLA breaches
and targets, engagements. Shared by the final report and the statistics."""

from __future__ import annotations

from datetime import timedelta

from escalation.incident import IncidentState
from escalation.logbook import SlaClock
from escalation.policy import Policy
from escalation.report import Breach, Engagement
from escalation.timeline_facts import ENGAGEMENTS, with_facts


def time_to_acknowledge(incident: IncidentState) -> timedelta | None:
    """From opening to acknowledgment; None when nobody acknowledged."""
    return incident.acknowledged_at - incident.opened_at if incident.acknowledged_at else None


def time_to_resolve(incident: IncidentState) -> timedelta | None:
    """From opening to (the latest) resolution; None while unresolved."""
    return incident.resolved_at - incident.opened_at if incident.resolved_at else None


def ack_breached(incident: IncidentState) -> bool:
    """The incident breached the acknowledgment SLA of its severity (in this or an earlier
    cycle). A breach under a former severity is in `breaches`, not here."""
    return incident.sla.ack_breached or _breached_under_current_severity(incident, "acknowledge")


def resolve_breached(incident: IncidentState) -> bool:
    """The incident breached the resolution SLA of its severity (in this or an earlier cycle)."""
    return incident.sla.resolve_breached or _breached_under_current_severity(incident, "resolve")


def _breached_under_current_severity(incident: IncidentState, clock: SlaClock) -> bool:
    return any(b.clock == clock and b.severity == incident.severity for b in breaches(incident))


def sla_targets(incident: IncidentState, policy: Policy) -> tuple[timedelta, timedelta]:
    """Ack and resolve SLAs of the incident's severity; from its own clocks if the policy lost it."""
    if incident.severity in policy.severities:
        rules = policy.severity(incident.severity)
        return rules.ack_within, rules.resolve_within
    started = incident.sla.resolve_clock_started
    return incident.sla.ack_due - started, incident.sla.resolve_due - started


def engagements(incident: IncidentState) -> list[Engagement]:
    """Tiers paged or consulted and management escalations, from the timeline, in order."""
    return [
        Engagement(
            at=entry.at,
            after=entry.at - incident.opened_at,
            kind=entry.kind,  # type: ignore[arg-type]
            tier=entry.tier or "",
            contacts=list(entry.recipients or []),
            reason=entry.reason or "",
        )
        for entry in map(with_facts, incident.timeline)
        if entry.kind in ENGAGEMENTS
    ]


def breaches(incident: IncidentState) -> list[Breach]:
    """Each `sla_breach` line, under the severity in force when it was recorded."""
    severity, found = incident.classification.severity, []
    for entry in map(with_facts, incident.timeline):
        if entry.kind == "severity_changed":
            severity = entry.severity or severity
        elif entry.kind == "sla_breach":
            found.append(
                Breach(
                    at=entry.at,
                    after=entry.at - incident.opened_at,
                    clock=entry.clock or "resolve",
                    severity=entry.severity or severity,
                    detail=entry.detail,
                )
            )
    return found
