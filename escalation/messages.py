"""Messages to people: what the workflow asks to send, and how it reads on each channel."""

from __future__ import annotations

from functools import cache
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel

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
}


class OutboundMessage(BaseModel):
    """One message for one address on one channel; the id lets a retry be recognised."""

    notification_id: str
    purpose: Purpose
    channel: Channel
    recipient: str
    address: str
    facts: MessageFacts


class RenderedMessage(BaseModel):
    """The exact words that go out: a subject for email, a body for every channel."""

    notification_id: str
    channel: Channel
    to: str
    subject: str
    text: str


class DeliveryReceipt(BaseModel):
    """What the provider said: sent (with its id) or kept in the outbox."""

    status: Literal["sent", "outbox"]
    provider_id: str | None = None


PERMANENT_FAILURE = "PermanentDeliveryFailure"
"""ApplicationError type for a refusal no retry can fix (bad number, unsubscribed, 4xx)."""


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("escalation", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render(message: OutboundMessage) -> RenderedMessage:
    """Fill the channel's template with the incident facts."""
    context = {
        "m": message,
        "f": message.facts,
        "headline": HEADLINES[message.purpose],
        "client_facing": message.purpose.startswith("client_"),
    }
    environment = _templates()
    subject = environment.get_template("subject.j2").render(context).strip()
    body = environment.get_template(f"{message.channel}.j2").render(context).strip()
    return RenderedMessage(
        notification_id=message.notification_id,
        channel=message.channel,
        to=message.address,
        subject=subject,
        text=body,
    )
