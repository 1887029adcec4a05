"""Building the final report from the incident's durable record (and its review's), for one
audience: the client version is a filter over the same facts as the internal one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from escalation.contract_outcomes import about_another_client, contract_outcomes
from escalation.incident import IncidentState
from escalation.incident_measures import (
    ack_breached,
    breaches,
    engagements,
    resolve_breached,
    sla_targets,
    time_to_acknowledge,
    time_to_resolve,
)
from escalation.logbook import NotificationRecord, TimelineEntry
from escalation.policy import Policy
from escalation.report import (
    DELIVERED,
    ClientMessage,
    FinalReport,
    ReportActionItem,
    ReportAudience,
    ReportEntry,
    ReportFeedback,
    ReviewFacts,
    SlaOutcome,
    Verdict,
)
from escalation.review import ReviewState
from escalation.timeline_facts import with_facts


def build_report(
    incident: IncidentState,
    policy: Policy,
    review: ReviewState | None = None,
    *,
    audience: ReportAudience,
    client: str | None = None,
) -> FinalReport:
    """Gather the report's facts.

    `client` drops internal notes, rejections, management escalations, operators' free text
    meant for colleagues, and who else was affected or told (names and addresses).
    """
    internal = audience == "internal"
    ack_target, resolve_target = sla_targets(incident, policy)
    resolution = incident.resolution
    return FinalReport(
        audience=audience,
        incident_id=incident.incident_id,
        title=incident.title,
        service=incident.service,
        severity=incident.severity,
        classification_rule=incident.classification.rule,
        status=incident.status,
        users_affected=incident.users_affected,
        clients_affected=incident.clients_affected if internal else [],
        opened_at=incident.opened_at,
        acknowledged_by=incident.acknowledged_by,
        acknowledged_at=incident.acknowledged_at,
        resolved_by=incident.resolved_by,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
        reopened=sum(1 for entry in incident.timeline if entry.kind == "reopened"),
        acknowledge_sla=_acknowledge_outcome(incident, ack_target),
        resolve_sla=_resolve_outcome(incident, resolve_target),
        engagements=[
            e if internal else e.model_copy(update={"contacts": [], "reason": ""})
            for e in engagements(incident)
            if internal or e.kind != "escalated"
        ],
        breaches=[
            b
            for b in breaches(incident)
            if internal or not about_another_client(b.detail, policy, client)
        ],
        cause=resolution.cause if resolution else None,
        resolution=resolution.resolution if resolution else None,
        preventive_measures=list(resolution.preventive_measures) if resolution else [],
        client_messages=_client_messages(incident, internal),
        timeline=[
            e
            for e in _timeline(incident, internal)
            if internal or not about_another_client(e.detail, policy, client)
        ],
        review=_review_facts(review) if review else None,
        contract_outcomes=contract_outcomes(incident, policy, None if internal else client)
        if internal or client
        else [],
    )


def _acknowledge_outcome(incident: IncidentState, target: timedelta) -> SlaOutcome:
    """Resolving without an acknowledgment stops the ack clock too (the engine stops paging)."""
    took = time_to_acknowledge(incident)
    stopped = took if took is not None else time_to_resolve(incident)
    return SlaOutcome(
        clock="acknowledge",
        target=target,
        took=took,
        verdict=_verdict(ack_breached(incident), stopped, target),
    )


def _resolve_outcome(incident: IncidentState, target: timedelta) -> SlaOutcome:
    took = time_to_resolve(incident)
    return SlaOutcome(
        clock="resolve",
        target=target,
        took=took,
        verdict=_verdict(resolve_breached(incident), took, target),
    )


def _verdict(recorded_breach: bool, took: timedelta | None, target: timedelta) -> Verdict:
    if recorded_breach or (took is not None and took > target):
        return "breached"
    return "pending" if took is None else "met"


def _client_messages(incident: IncidentState, internal: bool) -> list[ClientMessage]:
    """Internal: every attempt, to whom and where; client: what was delivered and when only.

    A client report may reach several clients: none of them learns who else was affected.
    """
    return [
        ClientMessage(
            at=record.at,
            purpose=record.purpose,
            recipient=record.recipient if internal else "",
            channel=record.channel,
            to=record.to if internal else "",
            status=record.status,
        )
        for record in incident.notifications
        if _is_client_message(record) and (internal or record.status in DELIVERED)
    ]


def _is_client_message(record: NotificationRecord) -> bool:
    return record.purpose.startswith("client_") and record.status != "skipped"


def _timeline(incident: IncidentState, internal: bool) -> list[ReportEntry]:
    lines = []
    for entry in incident.timeline:
        detail: str | None = entry.detail
        if not internal:
            public = CLIENT_TIMELINE.get(entry.kind)
            detail = public(entry) if public else None
        if detail is None:
            continue
        lines.append(
            ReportEntry(
                at=entry.at,
                after=entry.at - incident.opened_at,
                kind=entry.kind,
                actor=entry.attribution,
                detail=detail,
            )
        )
    return lines


def _as_recorded(entry: TimelineEntry) -> str:
    return entry.detail


def _tier_only(entry: TimelineEntry) -> str:
    return f"{with_facts(entry).tier} engaged"


def _severity_only(entry: TimelineEntry) -> str:
    return entry.detail.partition(": ")[0]


CLIENT_TIMELINE: dict[str, Callable[[TimelineEntry], str]] = {
    "opened": _as_recorded,
    "classified": _as_recorded,
    "paged": _tier_only,
    "consulted": _tier_only,
    "acknowledged": lambda _: "acknowledged",
    "update": _as_recorded,
    "client_update": _as_recorded,
    "severity_changed": _severity_only,
    "sla_breach": _as_recorded,
    "resolved": _as_recorded,
    "reopened": lambda _: "reopened",
    "closed": lambda _: "closed",
}
"""What clients see of the timeline: an allow-list, so a new internal kind stays internal.

Notes, rejections, escalations to management, warnings, delivery fallbacks and review
bookkeeping are left out; free text an operator wrote for colleagues (ack notes, reopen and
severity-change reasons) is replaced by the bare event.
"""


def _review_facts(review: ReviewState) -> ReviewFacts:
    return ReviewFacts(
        owner=review.owner,
        status=review.status,
        due_at=review.due_at,
        action_items=[
            ReportActionItem(
                id=item.id,
                title=item.title,
                owner=item.owner,
                due=item.due,
                blocking=item.blocking,
                status="open" if item.is_open else "done",
                done_by=item.done_by,
                done_at=item.done_at,
            )
            for item in review.action_items
        ],
        feedback=[ReportFeedback(by=f.by, text=f.text, at=f.at) for f in review.feedback],
        summary=review.summary,
        completed_by=review.completed_by,
        completed_at=review.completed_at,
    )
