"""The final report's facts: what happened to an incident, told only from its own durable record.

Pure (no I/O, no clock): the same facts come out whether the report is built by an activity at
close, by the CLI from a finished workflow's result, or by a test from a scripted incident. The
client version is a filter over the same facts, so the two can never disagree on a number.
These models travel through history (`ReportDelivery`); `report_building` gathers them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from escalation.contract_outcomes import (
    ContractOutcome,
)
from escalation.incident import IncidentState
from escalation.logbook import SlaClock
from escalation.policy import Policy
from escalation.review import ReviewState, ReviewStatus

ReportAudience = Literal["client", "internal"]
"""Who a final report is for; `actions.Audience` is who a notification goes to."""
Verdict = Literal["met", "breached", "pending"]

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

    audience: ReportAudience
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
    contract_outcomes: list[ContractOutcome] = Field(
        default=[], description="Every client's targets (internal), or the recipient client's"
    )

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
    audience: ReportAudience
    client: str | None = Field(None, description="The client a client report is for, by name")
