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
    from escalation.incident import IncidentState, NotificationRecord
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
PAGING_STOPPED = "paging stopped: incident acknowledged or resolved"


async def deliver(state: IncidentState, action: Notify, recipient: Recipient) -> None:
    """Send on each of the recipient's channels; a channel that refuses falls back to another."""
    await RecipientDelivery(state, action, recipient).run()


@dataclass
class RecipientDelivery:
    """One Notify action's messages to one recipient, and the record of each attempt."""

    state: IncidentState
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
            fallback = next(iter(self._fallbacks(tried + planned, failed_address=address)), None)
            if fallback is not None:
                detail = f"{channel} to {self.recipient.name} failed ({failure}); trying {fallback}"
                self.state.record(workflow.now(), "fallback", "escalation", detail)
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

    async def _send_once(self, channel: Channel, address: str) -> str | None:
        """One message through the delivery activity; returns why it failed for good, or None."""
        notification_id = self.state.next_notification_id()
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
                schedule_to_close_timeout=DELIVERY_DEADLINE,
                retry_policy=DELIVERY_RETRY,
                summary=f"{self.action.purpose} {channel} to {self.recipient.name}",
            )
        except ActivityError as error:
            reason = _reason(error)
            self._record(channel, address, "failed", notification_id=notification_id, error=reason)
            return reason
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
        self.state.notifications.append(
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


def _reason(error: ActivityError) -> str:
    cause = error.cause
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause or error)
