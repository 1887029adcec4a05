"""The final report: what happened to an incident, told only from its own durable record.

Pure (no I/O, no clock): the same facts come out whether the report is built by an activity at
close, by the CLI from a finished workflow's result, or by a test from a scripted incident. The
client version is a filter over the same facts, so the two can never disagree on a number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from escalation.incident import IncidentState
from escalation.logbook import NotificationRecord, TimelineEntry
from escalation.policy import Policy
from escalation.review import ReviewState, ReviewStatus

Audience = Literal["client", "internal"]
Verdict = Literal["met", "breached", "pending"]
SlaClock = Literal["acknowledge", "resolve"]

DELIVERED = frozenset({"sent", "outbox"})


# -- the facts --------------------------------------------------------------------------------------


class SlaOutcome(BaseModel):
    """One SLA clock: the target for the severity, how long it took, and the verdict."""

    clock: SlaClock
    target: timedelta
    took: timedelta | None = Field(description="From opening; None while the clock runs")
    verdict: Verdict


class Engagement(BaseModel):
    """A tier paged (or consulted once acknowledged), or management told."""

    at: datetime
    after: timedelta
    kind: Literal["paged", "consulted", "escalated"]
    tier: str = Field(description="Tier name, or `management`")
    contacts: list[str] = Field(default=[], description="Internal version only")
    reason: str = Field(default="", description="Internal version only")


class Breach(BaseModel):
    """An SLA breach as the incident recorded it, with the severity whose SLA it was."""

    at: datetime
    after: timedelta
    clock: SlaClock
    severity: str
    detail: str


class ReportEntry(BaseModel):
    """One timeline line, with its offset from the opening."""

    at: datetime
    after: timedelta
    kind: str
    actor: str
    detail: str


class ClientMessage(BaseModel):
    """One message to an affected client (opening, update, resolution)."""

    at: datetime
    purpose: str
    recipient: str = Field(default="", description="Internal version only")
    channel: str
    to: str = Field(default="", description="The address; internal version only")
    status: str


class ReportActionItem(BaseModel):
    """A review action item and whether it is done."""

    id: str
    title: str
    owner: str
    due: datetime | None
    blocking: bool
    status: Literal["open", "done"]
    done_by: str | None = None
    done_at: datetime | None = None


class ReportFeedback(BaseModel):
    """Feedback recorded by the review."""

    by: str
    text: str
    at: datetime


class ReviewFacts(BaseModel):
    """The post-incident review as far as it has gone."""

    owner: str
    status: ReviewStatus
    due_at: datetime
    action_items: list[ReportActionItem]
    feedback: list[ReportFeedback]
    summary: str | None
    completed_by: str | None
    completed_at: datetime | None


class FinalReport(BaseModel):
    """Every fact of the final report, for one audience."""

    audience: Audience
    incident_id: str
    title: str
    service: str
    severity: str
    classification_rule: str
    status: str
    users_affected: int
    clients_affected: list[str] = Field(description="Internal version only")
    opened_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopened: int = Field(description="How many times the incident was reopened")
    acknowledge_sla: SlaOutcome
    resolve_sla: SlaOutcome
    engagements: list[Engagement]
    breaches: list[Breach]
    cause: str | None
    resolution: str | None
    preventive_measures: list[str]
    client_messages: list[ClientMessage]
    timeline: list[ReportEntry]
    review: ReviewFacts | None

    @property
    def client_updates_sent(self) -> int:
        """Client messages that left (or went to the outbox)."""
        return sum(1 for message in self.client_messages if message.status in DELIVERED)


class ReportDelivery(BaseModel):
    """The input of the `deliver_final_report` activity: whom to send it to, and the record."""

    model_config = ConfigDict(extra="forbid")

    notification_id: str = Field(description="Stable per report and address, so a retry is one")
    recipient: str
    address: str
    incident: IncidentState
    policy: Policy
    review: ReviewState | None = None
    audience: Audience


# -- measures shared with escalation.stats ----------------------------------------------------------


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
    return any(b.clock == clock and b.severity == incident.severity for b in _breaches(incident))


def sla_targets(incident: IncidentState, policy: Policy) -> tuple[timedelta, timedelta]:
    """Ack and resolve SLAs of the incident's severity; from its own clocks if the policy lost it."""
    if incident.severity in policy.severities:
        rules = policy.severity(incident.severity)
        return rules.ack_within, rules.resolve_within
    started = incident.sla.resolve_clock_started
    return incident.sla.ack_due - started, incident.sla.resolve_due - started


def engagements(incident: IncidentState) -> list[Engagement]:
    """Tiers paged or consulted and management escalations, from the timeline, in order."""
    found = []
    for entry in incident.timeline:
        if entry.kind not in {"paged", "consulted", "escalated"}:
            continue
        tier, _, rest = entry.detail.partition(": ")
        contacts, _, reason = rest.partition(" (")
        found.append(
            Engagement(
                at=entry.at,
                after=entry.at - incident.opened_at,
                kind=entry.kind,  # type: ignore[arg-type]
                tier=tier,
                contacts=[c.strip() for c in contacts.split(",") if c.strip()],
                reason=reason.removesuffix(")"),
            )
        )
    return found


def human_duration(value: timedelta) -> str:
    """`12m`, `1h 5m`, `2d 3h`: whole minutes, seconds only below a minute."""
    seconds = max(int(value.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s" if seconds else "0m"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts)


# -- building ---------------------------------------------------------------------------------------


def build_report(
    incident: IncidentState,
    policy: Policy,
    review: ReviewState | None = None,
    *,
    audience: Audience,
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
        breaches=_breaches(incident),
        cause=resolution.cause if resolution else None,
        resolution=resolution.resolution if resolution else None,
        preventive_measures=list(resolution.preventive_measures) if resolution else [],
        client_messages=_client_messages(incident, internal),
        timeline=_timeline(incident, internal),
        review=_review_facts(review) if review else None,
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


def recorded_breaches(incident: IncidentState) -> list[Breach]:
    """Every SLA breach the incident recorded, under the severity then in force (analytics)."""
    return _breaches(incident)


def _breaches(incident: IncidentState) -> list[Breach]:
    """Each `sla_breach` line, under the severity in force when it was recorded."""
    severity, found = incident.classification.severity, []
    for entry in incident.timeline:
        if entry.kind == "severity_changed":
            # "<from> -> <to>: <reason>" (verbs._change_severity)
            severity = entry.detail.partition(" -> ")[2].partition(":")[0].strip() or severity
        elif entry.kind == "sla_breach":
            found.append(
                Breach(
                    at=entry.at,
                    after=entry.at - incident.opened_at,
                    clock="acknowledge" if entry.detail.startswith("acknowledgment") else "resolve",
                    severity=severity,
                    detail=entry.detail,
                )
            )
    return found


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
    return f"{entry.detail.partition(': ')[0]} engaged"


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
