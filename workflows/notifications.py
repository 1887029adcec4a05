"""Workflow-side delivery: one activity per message and channel, with fallback to another channel."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError
from temporalio.workflow import ActivityCancellationType

with workflow.unsafe.imports_passed_through():
    from escalation.actions import Notify, Recipient
    from escalation.contacts import Channel
    from escalation.delivery_timing import DELIVERY_ATTEMPT_TIMEOUT
    from escalation.logbook import Logbook, NotificationRecord
    from escalation.messages import (
        OUR_BUG,
        PERMANENT_FAILURE,
        DeliveryReceipt,
        OutboundMessage,
        ProviderAnswer,
    )
    from escalation.throttle import THROTTLED_CHANNELS, SlotAnswer, SlotRequest
    from workflows.metrics import fallback_planned, message_recorded
    from workflows.throttle_answers import throttle_answers, withdraw

FALLBACK_ORDER: tuple[Channel, ...] = ("sms", "voice", "email")

DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    non_retryable_error_types=[PERMANENT_FAILURE, OUR_BUG],
)
"""429/5xx/timeouts retry with backoff for up to DELIVERY_DEADLINE; refusals and bugs in our own
code are final (the activity marks both non-retryable too)."""

DELIVERY_DEADLINE = timedelta(hours=1)
"""How long a client or stakeholder message keeps retrying before it is given up."""

URGENT_DELIVERY_DEADLINE = timedelta(minutes=15)
"""Pages and management escalations retry this long (a provider outage of 10 minutes is ridden
out), then fall back to another channel rather than arrive an hour late."""

URGENT_AUDIENCES = frozenset({"responders", "management"})

UNUSABLE_NUMBER_CODES_OF_OLD_HISTORIES = frozenset({21211})
"""Only for failures recorded before activities stated `address_usable` (ProviderAnswer): there
the Twilio code alone told a number that cannot exist. Replay must decide as the workflow did
then; drop it with the histories that lack the fact (CONTRIBUTING.md, Removing an old path)."""
PAGING_STOPPED = "paging stopped: incident acknowledged or resolved"
NO_PAGE_AFTER_ACK = "no-page-after-ack-while-asking-throttle"
"""Patch id (2026-11-22): a page called off while asking its throttle is not sent. Histories
recorded before it (tests/replay/histories/2026-11-22-initial) replay the old path."""

CANCEL_GRACE = timedelta(seconds=1)
"""When paging stops while a delivery attempt is in flight, how long the attempt may finish
before its activity is cancelled. A running attempt cannot be stopped anyway (the activity does
not heartbeat); cancelling only stops its retries. Waiting lets the record say what really
happened, and keeps a cancel request from crossing the attempt's completion in one workflow
task, which the time-skipping test server rejects with ACTIVITY_UNKNOWN and never recovers from
(temporalio/sdk-java#2391; the real server accepts it)."""

THROTTLE_ANSWER_TIMEOUT = timedelta(minutes=1)
"""How long a message waits for its throttle's first answer before it is sent unthrottled: a
throttle that cannot answer must not cost a page."""
BUNDLE_GRACE = timedelta(minutes=5)
"""Beyond the held-until time and the bundle's own delivery deadline, how long a held message
waits for word of its bundle before it is recorded failed and the next channel is tried."""


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
                    "escalation",
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

    def _plan_fallback(
        self,
        failure: DeliveryFailure,
        channel: Channel,
        address: str,
        tried: list[Channel],
        planned: list[Channel],
    ) -> None:
        """After a failure for good, plan one untried channel that may still reach the person."""
        avoid = None if failure.address_still_usable else address
        fallback = next(iter(self._fallbacks(tried, failed_address=avoid)), None)
        if fallback is not None:
            detail = (
                f"{channel} to {self.recipient.name} failed ({failure.reason}); trying {fallback}"
            )
            self.log.record(workflow.now(), "fallback", "escalation", detail)
            fallback_planned(channel, fallback)
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
            if isinstance(error.cause, CancelledError) and workflow.patched(NO_PAGE_AFTER_ACK):
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
        self.log.record(workflow.now(), "throttle_unavailable", "escalation", detail)

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


@dataclass(frozen=True)
class HeldMessage:
    """A message its throttle holds for a bundle; `outcome` ends as `_send_once` would."""

    channel: Channel
    address: str
    outcome: asyncio.Task[DeliveryFailure | None]


@dataclass(frozen=True)
class DeliveryFailure:
    """Why a message did not go out, and whether its address may still work on another channel."""

    reason: str
    address_still_usable: bool

    @classmethod
    def of(cls, error: ActivityError) -> DeliveryFailure:
        """A permanent refusal that does not condemn the address (e.g. SMS STOP) keeps it usable;
        an exhausted retry (provider down) does not: try another provider's channel instead.
        A bug in our own code says nothing against the address: the next channel may use it."""
        cause = error.cause
        if not isinstance(cause, ApplicationError):
            return cls(str(cause or error), address_still_usable=False)
        if cause.type == OUR_BUG:
            return cls(cause.message, address_still_usable=True)
        answer = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
        usable = cause.type == PERMANENT_FAILURE and _address_usable(answer)
        return cls(cause.message, address_still_usable=usable)


def _address_usable(answer: ProviderAnswer) -> bool:
    """The activity's verdict on the address, or for old histories the one their code implied."""
    if "address_usable" in answer:
        return answer["address_usable"]
    return answer.get("code") not in UNUSABLE_NUMBER_CODES_OF_OLD_HISTORIES
