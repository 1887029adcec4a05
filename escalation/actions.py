"""What the engine asks the workflow to do: the only way a decision leaves the pure core."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from escalation.brands import Brand
from escalation.contacts import Channel, Contact
from escalation.incident import Resolution

Audience = Literal["responders", "management", "clients", "stakeholders"]
Purpose = Literal[
    "page",
    "consult",
    "escalation",
    "ack_breach",
    "resolve_warning",
    "resolve_breach",
    "client_opened",
    "client_update",
    "client_resolved",
    "stakeholder_opened",
    "stakeholder_breach",
    "stakeholder_resolved",
    "review_assigned",
    "review_invitation",
    "review_reminder",
    "review_overdue",
    "action_item_reminder",
    "handoff",
]
RESPONDER_PURPOSES: frozenset[Purpose] = frozenset(
    {"page", "consult", "escalation", "ack_breach", "resolve_warning", "resolve_breach"}
)
"""Messages to responders and management, the people who can act on the incident (acknowledge
from the message while it is triggered, follow its action links)."""


class Recipient(BaseModel):
    """A person or client mailbox, with the channels to try, in order."""

    name: str
    contact: Contact
    channels: list[Channel]
    client: str | None = None
    """The client's name, when this is one of a client's contacts."""
    brand: Brand | None = None
    """The brand the client's notices go out under; None is the house brand."""


class MessageFacts(BaseModel):
    """The incident as a message describes it, frozen when the decision was made."""

    incident_id: str
    title: str
    service: str
    severity: str
    status: str
    tier_name: str
    opened_at: datetime
    ack_due: datetime
    resolve_due: datetime
    acknowledged_by: str | None = None
    text: str = ""
    eta: datetime | None = None
    resolution: Resolution | None = None
    next_update_due: datetime | None = None
    client_breaches: dict[str, list[str]] = {}
    """Per client name, the targets of its contract missed so far: told in its own notices."""


class Notify(BaseModel):
    """Send one message to each recipient; pages to responders stop once someone acknowledges."""

    kind: Literal["notify"] = "notify"
    purpose: Purpose
    audience: Audience
    recipients: list[Recipient]
    facts: MessageFacts
    stops_on_ack: bool = False


class BeginReview(BaseModel):
    """Resolution of an incident whose review is required or was requested."""

    kind: Literal["begin_review"] = "begin_review"
    owner: str | None


class SendFinalReport(BaseModel):
    """Email the final report to these recipients, in the client-facing or the internal version."""

    kind: Literal["send_final_report"] = "send_final_report"
    recipients: list[Recipient]
    audience: Literal["client", "internal"]


class AskOnCall(BaseModel):
    """Ask who a tier's schedule has on call now, then page (`on_call_paging.page_on_call`)."""

    kind: Literal["ask_on_call"] = "ask_on_call"
    tier_index: int
    cycle: int
    schedule: str
    purpose: Literal["page", "consult"]
    reason: str


Action = Annotated[Notify | BeginReview | SendFinalReport | AskOnCall, Field(discriminator="kind")]
"""What the engine decided; tagged, so one decided but not yet carried out survives a payload."""


class Deadline(BaseModel):
    """The next moment the engine needs to be asked again, and why."""

    at: datetime
    kind: Literal[
        "tier_window",
        "ownership_window",
        "ack_sla",
        "resolve_warning",
        "resolve_sla",
        "client_update",
        "client_sla",
        "client_pause_limit",
        "client_cadence",
        "review_reminder",
        "review_overdue",
        "action_item_reminder",
    ]
    summary: str
