"""Messages to people: what the workflow asks to send, and what the provider answered.

These models travel through workflow history, so this module stays free of any template engine:
the wording on each channel is activities/message_rendering.py.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from pydantic import BaseModel

from escalation.actions import MessageFacts, Purpose
from escalation.brands import Brand, Sender
from escalation.contacts import Channel


class BundledPage(BaseModel):
    """One message a throttle held back, as the bundle that finally goes out lists it."""

    incident_id: str
    purpose: Purpose
    severity: str
    service: str
    title: str


class OutboundMessage(BaseModel):
    """One message for one address on one channel; the id lets a retry be recognised.

    `bundled` is set on the one message a per-address throttle sends for every message it held
    back (see escalation/throttle.py): it then reads as a summary of them all.
    """

    notification_id: str
    purpose: Purpose
    channel: Channel
    recipient: str
    address: str
    facts: MessageFacts
    bundled: list[BundledPage] = []
    client: str | None = None
    """The client's name on a client's notice."""
    brand: Brand | None = None
    """The client's brand on a client's notice; None sends under the house brand."""


class RenderedMessage(BaseModel):
    """The exact words that go out: a subject for email, a body for every channel.

    `html` is the email's HTML alternative (None on other channels); `incident_id` and `purpose`
    travel with the message so a provider can tag it (SendGrid custom_args and categories);
    `recipient` (the contact's policy name) lets a call's keypress act as that contact.
    """

    notification_id: str
    channel: Channel
    to: str
    subject: str
    text: str
    html: str | None = None
    incident_id: str = ""
    purpose: Purpose | None = None
    recipient: str = ""
    sender: Sender | None = None
    """A client's brand as From and Reply-To; None sends from the house sender."""


class DeliveryReceipt(BaseModel):
    """What the provider said: sent (with its id) or kept in the outbox.

    `reply_code` is the SMS reply code the page carried (`Reply 12a to ack`), kept in history so
    a replay never allocates another.
    """

    status: Literal["sent", "outbox"]
    provider_id: str | None = None
    reply_code: int | None = None


class ProviderAnswer(TypedDict, total=False):
    """A failed delivery's details, which the workflow reads to choose the next channel.

    `address_usable` is the activity's verdict on the address itself: False when the provider
    says it cannot exist (no retry or other channel to it helps), True when only this channel is
    refused (SMS STOP, a landline) and a voice call to the same number may still get through.
    `code` is the provider's own error code, kept for the timeline and for histories recorded
    before `address_usable` existed.
    """

    provider: str
    status: int
    code: int | None
    address_usable: bool


PERMANENT_FAILURE = "PermanentDeliveryFailure"
"""ApplicationError type for a refusal no retry can fix (bad number, unsubscribed, 4xx)."""

OUR_BUG = "EscalationServiceBug"
"""ApplicationError type for a failure in our own code (a template, a transport), not the
provider's: retrying the same code fails the same way, so it is final and the next channel is
tried at once."""
