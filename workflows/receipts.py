"""The `delivery_receipt` signal: a provider's later word on a message, and the fallback it may
call for when a page did not arrive.

A signal, tolerant like every verb: a malformed receipt, or one naming a message this incident
never sent, is recorded as rejected and never raises. A receipt can outrun its message: the
provider's webhook may reach the incident before the delivery activity's result does (in one
workflow task, signals are applied first), so a receipt for a message issued but not yet recorded
waits for its record, as long as a delivery may take.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from escalation import audiences, engine
    from escalation.actions import Notify, Recipient
    from escalation.commands import describe_validation_error
    from escalation.contacts import Channel, Contact
    from escalation.incident import IncidentState
    from escalation.logbook import NotificationRecord
    from escalation.policy import Policy
    from escalation.receipts import (
        DELIVERY_RECEIPT,
        EXAMPLE,
        ProviderReceipt,
        is_repeat,
        newly_missed,
        note_receipt,
        receipt_line,
        receipt_record,
    )
    from workflows.delivery_limits import URGENT_DELIVERY_DEADLINE
    from workflows.fallback import FALLBACK_ORDER
    from workflows.metrics import fallback_planned
    from workflows.notifications import deliver
    from workflows.patches import RECEIPT_AWAITS_ITS_MESSAGE, RECEIPT_FALLBACK, patched
    from workflows.rejections import record_rejection

DESCRIPTION = (
    "Sent by the HTTP service's provider webhooks: what became of a message after the provider "
    f"accepted it. Example: {EXAMPLE}"
)

Start = Callable[[Coroutine[Any, Any, None], bool], None]
"""Starts a delivery in the background; the flag says whether acknowledging calls it off."""


def take_receipt(policy: Policy, state: IncidentState, payload: Any, start: Start) -> None:
    """Record the provider's outcome; for a missed page, try the next channel. Never raises."""
    now = workflow.now()
    try:
        receipt = ProviderReceipt.model_validate(payload)
    except ValidationError as error:
        detail = f"{DELIVERY_RECEIPT}: {describe_validation_error(error)}; e.g. {EXAMPLE}"
        record_rejection(state, "provider", detail)
        return
    record = receipt_record(state, receipt.notification_id)
    if record is None:
        detail = f"{DELIVERY_RECEIPT}: no message {receipt.notification_id} in this incident"
        record_rejection(state, receipt.provider, detail)
        return
    if is_repeat(record, receipt):
        return  # a webhook delivered twice: recorded once
    missed = newly_missed(record, receipt)
    note_receipt(record, receipt)
    state.record(now, "delivery_receipt", receipt.provider, receipt_line(record, receipt))
    if missed:
        planned = _next_channel(policy, state, record)
        if planned is not None and patched(RECEIPT_FALLBACK):
            action, recipient = planned
            channel = recipient.channels[0]
            detail = f"{record.channel} to {record.recipient} not delivered; trying {channel}"
            state.record(now, "fallback", engine.SYSTEM, detail)
            fallback_planned(record.channel, channel)
            start(deliver(state, action, recipient), action.stops_on_ack)


def _next_channel(
    policy: Policy, state: IncidentState, record: NotificationRecord
) -> tuple[Notify, Recipient] | None:
    """A one-channel Notify to the same person, while the message still matters: a page while
    nobody has acknowledged, a management escalation while the incident is open."""
    if record.purpose == "page" and state.status == "triggered":
        audience, stops_on_ack = "responders", True
    elif record.purpose == "escalation" and state.is_open:
        audience, stops_on_ack = "management", False
    else:
        return None
    contact = _contact_named(policy, record.recipient)
    if contact is None:
        return None
    tried = _channels_tried(policy, state, record)
    channel = next(
        (
            c
            for c in FALLBACK_ORDER
            if c not in tried and (address := contact.address_for(c)) and address != record.to
        ),
        None,
    )
    if channel is None:
        return None
    recipient = Recipient(name=record.recipient, contact=contact, channels=[channel])
    facts = audiences.facts(policy, state, f"the {record.channel} page did not arrive")
    notify = Notify(
        purpose=record.purpose,  # type: ignore[arg-type]
        audience=audience,  # type: ignore[arg-type]
        recipients=[recipient],
        facts=facts,
        stops_on_ack=stops_on_ack,
    )
    return notify, recipient


def _channels_tried(
    policy: Policy, state: IncidentState, record: NotificationRecord
) -> list[Channel]:
    """The severity's channels, and every channel this person got this message on since."""
    tried: list[Channel] = list(policy.severity(state.severity).channels)
    index = next(i for i, n in enumerate(state.notifications) if n is record)
    for later in state.notifications[index:]:
        if later.recipient == record.recipient and later.purpose == record.purpose:
            tried.append(later.channel)
    return tried


def _contact_named(policy: Policy, recipient: str) -> Contact | None:
    """The policy contact a recipient's display name stands for."""
    for key in policy.contacts:
        contact = policy.contact(key)
        if contact.name == recipient:
            return contact
    return None


def unrecorded_message(state: IncidentState, payload: Any) -> str | None:
    """The notification id the receipt names, when this incident issued it (`<incident>/n<k>`,
    k at most its sequence) and has no record of it yet: its delivery is still under way."""
    notification_id = payload.get("notification_id") if isinstance(payload, dict) else None
    if not isinstance(notification_id, str):
        return None
    number = notification_id.removeprefix(f"{state.logbook_id}/n")
    if number == notification_id or not number.isdigit():
        return None
    issued = 0 < int(number) <= state.notification_sequence
    return notification_id if issued and receipt_record(state, notification_id) is None else None


async def await_its_record(state: IncidentState, notification_id: str) -> None:
    """Until the message is recorded, the incident closes, or a delivery's deadline passes (a
    message whose delivery was called off is never recorded: its receipt is then rejected)."""
    with suppress(TimeoutError):
        await workflow.wait_condition(
            lambda: receipt_record(state, notification_id) is not None or state.status == "closed",
            timeout=URGENT_DELIVERY_DEADLINE,
            timeout_summary=f"receipt for {notification_id} awaits its message",
        )


def receipt_signal() -> Any:
    """The `delivery_receipt` signal handler for the incident workflow's class body."""

    async def delivery_receipt(self: Any, payload: Any = None) -> None:
        if self._state is None:  # nothing was sent before the incident opened
            return
        early = unrecorded_message(self.state, payload)
        if early is not None and patched(RECEIPT_AWAITS_ITS_MESSAGE):
            await await_its_record(self.state, early)
        take_receipt(self._policy, self.state, payload, self._track)
        self._wake = True

    return workflow.signal(name=DELIVERY_RECEIPT, description=DESCRIPTION)(delivery_receipt)
