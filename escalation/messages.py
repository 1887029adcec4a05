"""Messages to people: what the workflow asks to send, and how it reads on each channel."""

from __future__ import annotations

from functools import cache
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from pydantic import BaseModel

from escalation import gsm7
from escalation.actions import MessageFacts, Purpose
from escalation.contacts import Channel

HEADLINES: dict[str, str] = {
    "page": "You are paged",
    "consult": "Your help is requested",
    "escalation": "Escalated to management",
    "ack_breach": "Acknowledgment SLA breached",
    "resolve_warning": "Resolution SLA warning",
    "resolve_breach": "Resolution SLA breached",
    "client_opened": "We are investigating an incident",
    "client_update": "Incident update",
    "client_resolved": "Incident resolved",
    "stakeholder_opened": "New incident",
    "stakeholder_breach": "SLA breached",
    "stakeholder_resolved": "Incident resolved",
    "review_assigned": "Post-incident review assigned to you",
    "review_reminder": "Post-incident review reminder",
    "review_overdue": "Post-incident review overdue",
    "action_item_reminder": "Action item due",
}

ACK_PURPOSES: frozenset[str] = frozenset(
    {"page", "consult", "escalation", "ack_breach", "resolve_warning", "resolve_breach"}
)
"""Messages to responders and management, who may acknowledge while the incident is triggered."""


CLIENT_STATUS: dict[str, str] = {
    "triggered": "Investigating",
    "acknowledged": "Identified",
    "resolved": "Resolved",
    "closed": "Resolved",
}
"""Incident status as a status page words it: clients read these, not our internal states."""


class OutboundMessage(BaseModel):
    """One message for one address on one channel; the id lets a retry be recognised."""

    notification_id: str
    purpose: Purpose
    channel: Channel
    recipient: str
    address: str
    facts: MessageFacts


class RenderedMessage(BaseModel):
    """The exact words that go out: a subject for email, a body for every channel.

    `html` is the email's HTML alternative (None on other channels); `incident_id` and `purpose`
    travel with the message so a provider can tag it (SendGrid custom_args and categories).
    """

    notification_id: str
    channel: Channel
    to: str
    subject: str
    text: str
    html: str | None = None
    incident_id: str = ""
    purpose: Purpose | None = None


class DeliveryReceipt(BaseModel):
    """What the provider said: sent (with its id) or kept in the outbox."""

    status: Literal["sent", "outbox"]
    provider_id: str | None = None


PERMANENT_FAILURE = "PermanentDeliveryFailure"
"""ApplicationError type for a refusal no retry can fix (bad number, unsubscribed, 4xx)."""


SUBJECT_LIMIT = 200
"""Characters kept of a subject: mail clients show far fewer, and RFC 5322 lines stop at 998."""


@cache
def _templates() -> Environment:
    """Plain-text templates as written; `*.html.j2` autoescaped, so a title cannot inject markup."""
    return Environment(
        loader=PackageLoader("escalation", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
    )


def render(message: OutboundMessage) -> RenderedMessage:
    """Fill the channel's template with the incident facts."""
    client_facing = message.purpose.startswith("client_")
    status = message.facts.status
    context = {
        "m": message,
        "f": message.facts,
        "title": message.facts.title,
        "status": CLIENT_STATUS.get(status, status) if client_facing else status,
        "headline": HEADLINES[message.purpose],
        "client_facing": client_facing,
        "can_ack": message.purpose in ACK_PURPOSES and status == "triggered",
    }
    environment = _templates()
    subject = " ".join(environment.get_template("subject.j2").render(context).split())
    html: str | None = None
    if message.channel == "sms":
        text = _sms_text(environment.get_template("sms.j2"), context)
    else:
        text = environment.get_template(f"{message.channel}.j2").render(context).strip()
    if message.channel == "email":
        html = environment.get_template("email.html.j2").render(context).strip()
    return RenderedMessage(
        notification_id=message.notification_id,
        channel=message.channel,
        to=message.address,
        subject=subject[:SUBJECT_LIMIT],
        text=text,
        html=html,
        incident_id=message.facts.incident_id,
        purpose=message.purpose,
    )


def _sms_text(template: Template, context: dict[str, object]) -> str:
    """One GSM-7 segment: the title gives way first, so the ack command survives intact."""
    title = gsm7.to_gsm7_ascii(str(context["title"]))
    text = gsm7.to_gsm7_ascii(template.render({**context, "title": title}))
    overflow = gsm7.septets(text) - gsm7.SEGMENT_SEPTETS
    if overflow > 0:
        title = gsm7.shorten(title, max(gsm7.septets(title) - overflow, 0))
        text = gsm7.to_gsm7_ascii(template.render({**context, "title": title}))
    return gsm7.shorten(text, gsm7.SEGMENT_SEPTETS)
