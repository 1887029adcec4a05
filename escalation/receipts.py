"""Delivery receipts: what a provider reported after it accepted a message.

A page the provider accepted but could not deliver (an unreachable handset, a bounced address)
used to be a silent miss; the incident now records it and tries the contact's next channel.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from escalation.logbook import Logbook, NotificationRecord

DELIVERY_RECEIPT = "delivery_receipt"
Outcome = Literal["delivered", "undelivered", "failed", "bounced", "dropped", "deferred"]
NOT_ARRIVED: frozenset[str] = frozenset({"undelivered", "failed", "bounced", "dropped"})
"""Outcomes after which the message will not reach the person; `deferred` may still arrive."""


class ProviderReceipt(BaseModel):
    """`delivery_receipt`'s one argument, sent by the HTTP service's provider webhooks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    notification_id: str = Field(min_length=1, max_length=300)
    provider: Literal["twilio", "sendgrid"]
    outcome: Outcome
    error_code: str | None = Field(None, max_length=40)
    reason: str | None = Field(None, max_length=500)


EXAMPLE = (
    '{"notification_id": "incident-.../n3", "provider": "twilio", "outcome": "undelivered", '
    '"error_code": "30003", "reason": "Unreachable destination handset"}'
)


def receipt_record(log: Logbook, notification_id: str) -> NotificationRecord | None:
    """The latest record of the message (a held message has a `throttled` one, then its send)."""
    for record in reversed(log.notifications):
        if record.notification_id == notification_id and record.status != "skipped":
            return record
    return None


def newly_missed(record: NotificationRecord, receipt: ProviderReceipt) -> bool:
    """The first report that this message will not arrive (a repeat starts no second fallback)."""
    return receipt.outcome in NOT_ARRIVED and record.delivery not in NOT_ARRIVED


def provider_reason(receipt: ProviderReceipt) -> str | None:
    """`30003: Unreachable destination handset`, or None when the provider gave no reason."""
    return ": ".join(part for part in (receipt.error_code, receipt.reason) if part) or None


def is_repeat(record: NotificationRecord, receipt: ProviderReceipt) -> bool:
    """The same report again (webhooks are delivered at least once)."""
    return record.delivery == receipt.outcome and record.delivery_error == provider_reason(receipt)


def receipt_line(record: NotificationRecord, receipt: ProviderReceipt) -> str:
    """`sms page to Alice Ng: undelivered (twilio 30003: Unreachable destination handset)`."""
    why = provider_reason(receipt)
    detail = f" ({receipt.provider} {why})" if why else f" ({receipt.provider})"
    return f"{record.channel} {record.purpose} to {record.recipient}: {receipt.outcome}{detail}"


def note_receipt(record: NotificationRecord, receipt: ProviderReceipt) -> None:
    """The outcome on the message's own record, as `status` shows it."""
    record.delivery = receipt.outcome
    record.delivery_error = provider_reason(receipt)
