"""Workflow-side delivery: one activity per message and channel, with fallback to another channel."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from escalation.actions import Notify, Recipient
    from escalation.contacts import Channel
    from escalation.logbook import Logbook, NotificationRecord
    from escalation.messages import PERMANENT_FAILURE, DeliveryReceipt, OutboundMessage

FALLBACK_ORDER: tuple[Channel, ...] = ("sms", "voice", "email")

DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    non_retryable_error_types=[PERMANENT_FAILURE],
)
"""429/5xx/timeouts retry with backoff for up to DELIVERY_DEADLINE; refusals are final."""

DELIVERY_DEADLINE = timedelta(hours=1)
"""How long a client or stakeholder message keeps retrying before it is given up."""

URGENT_DELIVERY_DEADLINE = timedelta(minutes=15)
"""Pages and management escalations retry this long (a provider outage of 10 minutes is ridden
out), then fall back to another channel rather than arrive an hour late."""

URGENT_AUDIENCES = frozenset({"responders", "management"})

UNUSABLE_NUMBER_CODES = frozenset({21211})
"""Twilio codes that condemn the number itself; other refusals (21610 STOP, 21614 landline)
still let a voice call to the same number through."""
PAGING_STOPPED = "paging stopped: incident acknowledged or resolved"


async def deliver(log: Logbook, action: Notify, recipient: Recipient) -> None:
    """Send on each of the recipient's channels; a channel that refuses falls back to another."""
    await RecipientDelivery(log, action, recipient).run()


@dataclass
class RecipientDelivery:
    """One Notify action's messages to one recipient, and the record of each attempt."""

    log: Logbook
    action: Notify
    recipient: Recipient

    async def run(self) -> None:
        """Every planned channel once; each permanent failure adds one untried fallback."""
        contact = self.recipient.contact
        planned = [c for c in self.recipient.channels if contact.address_for(c)]
        for channel in self.recipient.channels:
            if channel not in planned:
                self._record(channel, "", "skipped", error=f"no {channel} address")
        if not planned:
            planned = self._fallbacks(tried=[], failed_address=None)[:1]
        tried: list[Channel] = []
        while planned:
            channel = planned.pop(0)
            tried.append(channel)
            address = contact.address_for(channel) or ""
            failure = await self._send_once(channel, address)
            if failure is None:
                continue
            avoid = None if failure.address_still_usable else address
            fallback = next(iter(self._fallbacks(tried + planned, failed_address=avoid)), None)
            if fallback is not None:
                detail = f"{channel} to {self.recipient.name} failed ({failure.reason}); trying {fallback}"
                self.log.record(workflow.now(), "fallback", "escalation", detail)
                planned.append(fallback)

    def _fallbacks(self, tried: list[Channel], failed_address: str | None) -> list[Channel]:
        """Untried channels that reach the person at another address than the one that failed."""
        contact = self.recipient.contact
        return [
            channel
            for channel in FALLBACK_ORDER
            if channel not in tried
            and (address := contact.address_for(channel))
            and address != failed_address
        ]

    async def _send_once(self, channel: Channel, address: str) -> DeliveryFailure | None:
        """One message through the delivery activity; returns why it failed for good, or None."""
        notification_id = self.log.next_notification_id()
        message = OutboundMessage(
            notification_id=notification_id,
            purpose=self.action.purpose,
            channel=channel,
            recipient=self.recipient.name,
            address=address,
            facts=self.action.facts,
        )
        try:
            receipt = await workflow.execute_activity(
                "deliver_notification",
                message,
                result_type=DeliveryReceipt,
                start_to_close_timeout=timedelta(seconds=30),
                schedule_to_close_timeout=(
                    URGENT_DELIVERY_DEADLINE
                    if self.action.audience in URGENT_AUDIENCES
                    else DELIVERY_DEADLINE
                ),
                retry_policy=DELIVERY_RETRY,
                summary=f"{self.action.purpose} {channel} to {self.recipient.name}",
            )
        except ActivityError as error:
            failure = DeliveryFailure.of(error)
            self._record(
                channel, address, "failed", notification_id=notification_id, error=failure.reason
            )
            return failure
        except asyncio.CancelledError:
            self._record(
                channel, address, "cancelled", notification_id=notification_id, error=PAGING_STOPPED
            )
            raise
        self._record(
            channel,
            address,
            receipt.status,
            notification_id=notification_id,
            provider_id=receipt.provider_id,
        )
        return None

    def _record(
        self,
        channel: Channel,
        address: str,
        status: str,
        *,
        notification_id: str = "",
        provider_id: str | None = None,
        error: str | None = None,
    ) -> None:
        self.log.notifications.append(
            NotificationRecord(
                at=workflow.now(),
                channel=channel,
                to=address,
                purpose=self.action.purpose,
                status=status,  # type: ignore[arg-type]
                recipient=self.recipient.name,
                notification_id=notification_id,
                provider_id=provider_id,
                error=error,
            )
        )


@dataclass(frozen=True)
class DeliveryFailure:
    """Why a message did not go out, and whether its address may still work on another channel."""

    reason: str
    address_still_usable: bool

    @classmethod
    def of(cls, error: ActivityError) -> DeliveryFailure:
        """A permanent refusal that does not condemn the address (e.g. SMS STOP) keeps it usable;
        an exhausted retry (provider down) does not: try another provider's channel instead."""
        cause = error.cause
        if not isinstance(cause, ApplicationError):
            return cls(str(cause or error), address_still_usable=False)
        answer = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
        usable = cause.type == PERMANENT_FAILURE and answer.get("code") not in UNUSABLE_NUMBER_CODES
        return cls(cause.message, address_still_usable=usable)
