"""Sending through a contact's throttle (SMS and voice): ask for a slot, wait for a held
message's bundle, withdraw when paging stops."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, CancelledError
from temporalio.workflow import ActivityCancellationType

with workflow.unsafe.imports_passed_through():
    from escalation.contacts import Channel
    from escalation.engine import SYSTEM
    from escalation.messages import (
        OutboundMessage,
    )
    from escalation.throttle import SlotAnswer, SlotRequest
    from workflows.delivery_limits import PAGING_STOPPED, URGENT_DELIVERY_DEADLINE
    from workflows.fallback import DeliveryFailure
    from workflows.patches import NO_PAGE_AFTER_ACK, patched
    from workflows.throttle_answers import throttle_answers, withdraw


THROTTLE_ANSWER_TIMEOUT = timedelta(minutes=1)
"""How long a message waits for its throttle's first answer before it is sent unthrottled: a
throttle that cannot answer must not cost a page."""
BUNDLE_GRACE = timedelta(minutes=5)
"""Beyond the held-until time and the bundle's own delivery deadline, how long a held message
waits for word of its bundle before it is recorded failed and the next channel is tried."""


class AsksThrottles:
    """The throttle side of RecipientDelivery: the delivery provides `log`, `recipient` and
    `_record`."""

    async def _ask_throttle(self, message: OutboundMessage) -> SlotAnswer | None:
        """The address's throttle says `send` or `held`; None (send anyway) if it cannot answer."""
        answers = throttle_answers()
        notification_id = message.notification_id
        request = SlotRequest(
            requester=workflow.info().workflow_id, message=message, requested_at=workflow.now()
        )
        try:
            await workflow.execute_activity(
                "request_throttle_slot",
                request,
                start_to_close_timeout=timedelta(seconds=10),
                schedule_to_close_timeout=THROTTLE_ANSWER_TIMEOUT,
                # Paging stopped meanwhile: stop waiting, withdraw below. (A cancel request for a
                # signal that takes milliseconds buys nothing, and the time-skipping test server
                # rejects one that crosses the activity's completion: ACTIVITY_UNKNOWN.)
                cancellation_type=ActivityCancellationType.ABANDON,
                summary=f"ask the {message.channel} throttle for {self.recipient.name}",
            )
            await workflow.wait_condition(
                lambda: notification_id in answers.received,
                timeout=THROTTLE_ANSWER_TIMEOUT,
                timeout_summary=f"throttle answer for {notification_id}",
            )
        except ActivityError as error:
            # Paging stopped while the (abandoned) ask was in flight: the cancellation arrives as
            # the activity's error. Before this patch it read as "throttle down, send anyway",
            # which paged people after they had acknowledged.
            if isinstance(error.cause, CancelledError) and patched(NO_PAGE_AFTER_ACK):
                await self._call_off(message)
                raise asyncio.CancelledError from None
            return self._unthrottled(message, error)
        except TimeoutError as error:
            return self._unthrottled(message, error)
        except asyncio.CancelledError:
            await self._call_off(message)
            raise
        return answers.received[notification_id]

    def _unthrottled(self, message: OutboundMessage, error: Exception) -> None:
        """The throttle could not answer: the message goes out anyway, and the timeline says so."""
        detail = (
            f"{message.channel} to {self.recipient.name}: the throttle did not answer "
            f"({error}); sent without throttling"
        )
        self.log.record(workflow.now(), "throttle_unavailable", SYSTEM, detail)

    async def _call_off(self, message: OutboundMessage) -> None:
        """Paging stopped before the throttle answered: record it and withdraw the request."""
        self._record(
            message.channel,
            message.address,
            "cancelled",
            notification_id=message.notification_id,
            error=PAGING_STOPPED,
        )
        await withdraw(message)

    async def _await_bundle(
        self, message: OutboundMessage, held: SlotAnswer
    ) -> DeliveryFailure | None:
        """A held message's outcome, when its throttle has sent the bundle that carried it."""
        answers = throttle_answers()
        channel, address, notification_id = (
            message.channel,
            message.address,
            message.notification_id,
        )
        wait = max((held.held_until or held.at) - workflow.now(), timedelta(0))
        try:
            await workflow.wait_condition(
                lambda: answers.received[notification_id].outcome in ("delivered", "failed"),
                timeout=wait + URGENT_DELIVERY_DEADLINE + BUNDLE_GRACE,
                timeout_summary=f"held {channel} to {self.recipient.name}",
            )
        except TimeoutError:
            reason = "held by the throttle, and no word of its bundle"
            self._record(channel, address, "failed", notification_id=notification_id, error=reason)
            return DeliveryFailure(reason, address_still_usable=False)
        except asyncio.CancelledError:
            self._record(
                channel, address, "cancelled", notification_id=notification_id, error=PAGING_STOPPED
            )
            await withdraw(message)
            raise
        answer = answers.received[notification_id]
        if answer.outcome == "failed":
            self._record(
                channel,
                address,
                "failed",
                at=answer.at,
                notification_id=notification_id,
                error=answer.reason,
                bundle_id=answer.bundle_id,
            )
            return DeliveryFailure(answer.reason, answer.address_still_usable)
        self._record(
            channel,
            address,
            answer.status or "sent",
            at=answer.at,
            notification_id=notification_id,
            provider_id=answer.provider_id,
            bundle_id=answer.bundle_id,
        )
        return None


@dataclass(frozen=True)
class HeldMessage:
    """A message its throttle holds for a bundle; `outcome` ends as `_send_once` would."""

    channel: Channel
    address: str
    outcome: asyncio.Task[DeliveryFailure | None]
