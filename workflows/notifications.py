"""Workflow-side delivery: one activity per message and channel, with fallback to another channel."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from escalation.actions import Notify, Recipient
    from escalation.contacts import Channel
    from escalation.delivery_timing import DELIVERY_ATTEMPT_TIMEOUT
    from escalation.engine import SYSTEM
    from escalation.logbook import Logbook, NotificationRecord
    from escalation.messages import (
        DeliveryReceipt,
        OutboundMessage,
    )
    from escalation.throttle import THROTTLED_CHANNELS
    from workflows.delivery_limits import (
        CANCEL_GRACE,
        DELIVERY_DEADLINE,
        DELIVERY_RETRY,
        PAGING_STOPPED,
        URGENT_AUDIENCES,
        URGENT_DELIVERY_DEADLINE,
    )
    from workflows.fallback import DeliveryFailure, PlansFallbacks
    from workflows.metrics import message_recorded
    from workflows.throttled_sending import AsksThrottles, HeldMessage


async def deliver(log: Logbook, action: Notify, recipient: Recipient) -> None:
    """Send on each of the recipient's channels; a channel that refuses falls back to another."""
    await RecipientDelivery(log, action, recipient).run()


@dataclass
class RecipientDelivery(PlansFallbacks, AsksThrottles):
    """One Notify action's messages to one recipient, and the record of each attempt."""

    log: Logbook
    action: Notify
    recipient: Recipient

    async def run(self) -> None:
        """Every planned channel once; each permanent failure adds one untried fallback.

        A message its throttle holds does not hold up the other channels: the loop goes on and
        comes back for the held message's outcome (and its fallback) once the rest are sent.
        """
        contact = self.recipient.contact
        planned = [c for c in self.recipient.channels if contact.address_for(c)]
        for channel in self.recipient.channels:
            if channel not in planned:
                self.log.skip(
                    workflow.now(),
                    SYSTEM,
                    purpose=self.action.purpose,
                    recipient=self.recipient.name,
                    channel=channel,
                    why=f"no {channel} address",
                )
        if not planned:
            planned = self._fallbacks(tried=[], failed_address=None)[:1]
        tried: list[Channel] = []
        held: list[HeldMessage] = []
        try:
            while planned or held:
                if planned:
                    channel = planned.pop(0)
                    tried.append(channel)
                    address = contact.address_for(channel) or ""
                    outcome = await self._send_once(channel, address)
                    if isinstance(outcome, HeldMessage):
                        held.append(outcome)
                        continue
                    failure = outcome
                else:
                    failure = await held[0].outcome
                    done = held.pop(0)
                    channel, address = done.channel, done.address
                if failure is not None:
                    self._plan_fallback(failure, channel, address, tried + planned, planned)
        except asyncio.CancelledError:
            for message in held:
                message.outcome.cancel()
            await asyncio.gather(*(message.outcome for message in held), return_exceptions=True)
            raise

    async def _send_once(
        self, channel: Channel, address: str
    ) -> DeliveryFailure | HeldMessage | None:
        """One message: why it failed for good, None once sent, or the held message's outcome."""
        message = OutboundMessage(
            notification_id=self.log.next_notification_id(),
            purpose=self.action.purpose,
            channel=channel,
            recipient=self.recipient.name,
            address=address,
            facts=self.action.facts,
            client=self.recipient.client,
            brand=self.recipient.brand,
        )
        if channel in THROTTLED_CHANNELS and address:
            answer = await self._ask_throttle(message)
            if answer is not None and answer.outcome == "held":
                self._record(
                    channel,
                    address,
                    "throttled",
                    notification_id=message.notification_id,
                    error=answer.reason,
                    held_until=answer.held_until,
                )
                outcome = asyncio.create_task(self._await_bundle(message, answer))
                return HeldMessage(channel, address, outcome)
        return await self._deliver(message)

    async def _deliver(self, message: OutboundMessage) -> DeliveryFailure | None:
        """The delivery activity with its retries; returns why it failed for good, or None."""
        channel, address, notification_id = (
            message.channel,
            message.address,
            message.notification_id,
        )
        attempt = asyncio.create_task(
            workflow.execute_activity(
                "deliver_notification",
                message,
                result_type=DeliveryReceipt,
                start_to_close_timeout=DELIVERY_ATTEMPT_TIMEOUT,
                schedule_to_close_timeout=(
                    URGENT_DELIVERY_DEADLINE
                    if self.action.audience in URGENT_AUDIENCES
                    else DELIVERY_DEADLINE
                ),
                retry_policy=DELIVERY_RETRY,
                summary=f"{self.action.purpose} {channel} to {self.recipient.name}",
            )
        )
        stopped = False
        try:
            await workflow.wait_condition(attempt.done)
        except asyncio.CancelledError:
            stopped = True
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(attempt.done, timeout=CANCEL_GRACE)
            if not attempt.done():
                attempt.cancel()
                self._record(
                    channel,
                    address,
                    "cancelled",
                    notification_id=notification_id,
                    error=PAGING_STOPPED,
                )
                raise
        try:
            receipt = attempt.result()
        except ActivityError as error:
            failure = DeliveryFailure.of(error)
            self._record(
                channel, address, "failed", notification_id=notification_id, error=failure.reason
            )
            if stopped:
                raise asyncio.CancelledError from None
            return failure
        self._record(
            channel,
            address,
            receipt.status,
            notification_id=notification_id,
            provider_id=receipt.provider_id,
        )
        if stopped:
            raise asyncio.CancelledError
        return None

    def _record(
        self,
        channel: Channel,
        address: str,
        status: str,
        *,
        at: datetime | None = None,
        notification_id: str = "",
        provider_id: str | None = None,
        error: str | None = None,
        held_until: datetime | None = None,
        bundle_id: str | None = None,
    ) -> None:
        record = NotificationRecord(
            at=at or workflow.now(),
            channel=channel,
            to=address,
            purpose=self.action.purpose,
            status=status,  # type: ignore[arg-type]
            recipient=self.recipient.name,
            notification_id=notification_id,
            provider_id=provider_id,
            error=error,
            held_until=held_until,
            bundle_id=bundle_id,
        )
        self.log.notifications.append(record)
        message_recorded(record)
