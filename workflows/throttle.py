"""ContactThrottleWorkflow: one per channel and phone number, shared by every incident.

Every workflow that wants to text or call a number asks this entity first (signal-with-start from
the `request_throttle_slot` activity) and is answered by signal: `send` now, or `held`. Held
messages go out as ONE bundle as soon as the sliding windows have room; the throttle sends it
itself and tells each requester what became of its message. The windows live in this workflow's
state: durable across worker crashes, shared by all incidents on all hosts.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, FailureError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from escalation.commands import describe_validation_error
    from escalation.delivery_timing import DELIVERY_ATTEMPT_TIMEOUT
    from escalation.messages import DeliveryReceipt, OutboundMessage
    from escalation.throttle import (
        ANSWER_SIGNAL,
        REQUEST_SIGNAL,
        THROTTLE_WORKFLOW,
        WITHDRAW_SIGNAL,
        SignalRejection,
        SlotAnswer,
        SlotRequest,
        SlotWithdrawal,
        ThrottleStart,
        ThrottleState,
    )
    from workflows.delivery_limits import DELIVERY_RETRY, URGENT_DELIVERY_DEADLINE
    from workflows.fallback import DeliveryFailure
    from workflows.history_handover import HISTORY_LIMIT, history_past
    from workflows.shared_policies import read_policy


@workflow.defn(name=THROTTLE_WORKFLOW)
class ContactThrottleWorkflow:
    """Sliding-window limits for one address; holds and bundles what they do not let through."""

    @workflow.init
    def __init__(self, start: ThrottleStart) -> None:
        self._state: ThrottleState | None = start.carried
        self._inbox: list[SlotRequest] = []
        self._withdrawn: list[str] = []
        self._answers: list[tuple[str, SlotAnswer]] = []
        self._early_rejections: list[SignalRejection] = []
        """Malformed signals heard before the state exists (a signal-with-start arrives while
        the limits are being read); the state takes them when it opens."""
        self._sending: dict[asyncio.Task[None], None] = {}
        """Insertion-ordered, as everything a workflow might iterate over."""
        self._wake = False

    @workflow.run
    async def run(self, start: ThrottleStart) -> None:
        """Answer requests, send bundles when the windows allow, end after a quiet spell."""
        state = self._state or await self._open(start)
        while True:
            now = workflow.now()
            self._take_messages(state)
            taken = state.take_bundle(workflow.info().workflow_id, now)
            if taken is not None:
                self._start_sending(*taken)
            await self._send_answers()
            if self._inbox or self._withdrawn:
                continue
            settled = not self._sending and not self._answers
            idle = state.idle_until()
            if settled and idle is not None and now >= idle:
                return
            if settled and self._history_is_long():
                workflow.continue_as_new(
                    ThrottleStart(channel=state.channel, address=state.address, carried=state)
                )
            wake_at = state.next_bundle_at(now) if state.held else idle
            timeout = wake_at - now if wake_at is not None and wake_at > now else None
            self._wake = False
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: self._wake or bool(self._inbox) or bool(self._withdrawn),
                    timeout=timeout,
                    timeout_summary="next slot" if state.held else "idle end",
                )

    async def _open(self, start: ThrottleStart) -> ThrottleState:
        snapshot = await read_policy("read the throttle limits")
        self._state = ThrottleState(
            channel=start.channel,
            address=start.address,
            limits=snapshot.policy.throttle.limits(start.channel),
        )
        for rejection in self._early_rejections:
            self._state.reject(rejection)
        self._early_rejections.clear()
        return self._state

    def _take_messages(self, state: ThrottleState) -> None:
        withdrawn, self._withdrawn = self._withdrawn, []
        for notification_id in withdrawn:
            state.withdraw(notification_id)
        inbox, self._inbox = self._inbox, []
        for request in inbox:
            answer = state.admit(request, workflow.now())
            if answer is not None:
                self._answers.append((request.requester, answer))

    def _start_sending(self, message: OutboundMessage, held: list[SlotRequest]) -> None:
        task = asyncio.create_task(self._send_bundle(message, held))
        self._sending[task] = None
        task.add_done_callback(lambda done: self._sending.pop(done, None))

    async def _send_bundle(self, message: OutboundMessage, held: list[SlotRequest]) -> None:
        """One message for all held ones; each requester hears how it went."""
        try:
            receipt = await workflow.execute_activity(
                "deliver_notification",
                message,
                result_type=DeliveryReceipt,
                start_to_close_timeout=DELIVERY_ATTEMPT_TIMEOUT,
                schedule_to_close_timeout=URGENT_DELIVERY_DEADLINE,
                retry_policy=DELIVERY_RETRY,
                summary=f"bundle of {len(held)} {message.channel} to {message.recipient}",
            )
        except ActivityError as error:
            failure = DeliveryFailure.of(error)
            outcome = {
                "outcome": "failed",
                "reason": failure.reason,
                "address_still_usable": failure.address_still_usable,
            }
        else:
            outcome = {
                "outcome": "delivered",
                "status": receipt.status,
                "provider_id": receipt.provider_id,
            }
        for request in held:
            answer = SlotAnswer.model_validate(
                {
                    "notification_id": request.message.notification_id,
                    "at": workflow.now(),
                    "bundle_id": message.notification_id,
                    **outcome,
                }
            )
            self._answers.append((request.requester, answer))
        self._wake = True

    async def _send_answers(self) -> None:
        answers, self._answers = self._answers, []
        await asyncio.gather(*(self._answer(requester, answer) for requester, answer in answers))

    async def _answer(self, requester: str, answer: SlotAnswer) -> None:
        """Signal the requester; one that has ended (closed, terminated) no longer needs to hear."""
        try:
            await workflow.get_external_workflow_handle(requester).signal(ANSWER_SIGNAL, answer)
        except FailureError as error:
            workflow.logger.info("answer to %s not delivered: %s", requester, error)

    def _history_is_long(self) -> bool:
        return history_past(HISTORY_LIMIT)

    @workflow.signal(
        name=REQUEST_SIGNAL,
        description="A workflow asks to send one SMS or call (sent by signal-with-start).",
    )
    def request_slot(self, payload: Any = None) -> None:
        """Never raises: a malformed request is kept among the state's rejections."""
        try:
            self._inbox.append(SlotRequest.model_validate(payload))
        except ValidationError as error:
            self._reject(REQUEST_SIGNAL, error)

    @workflow.signal(
        name=WITHDRAW_SIGNAL,
        description='A held message is no longer wanted. Example: {"notification_id": "incident-x/n3"}',
    )
    def withdraw_slot(self, payload: Any = None) -> None:
        """Never raises: a malformed withdrawal is kept among the state's rejections."""
        try:
            self._withdrawn.append(SlotWithdrawal.model_validate(payload).notification_id)
        except ValidationError as error:
            self._reject(WITHDRAW_SIGNAL, error)

    def _reject(self, signal: str, error: ValidationError) -> None:
        """Kept for the `status` query (the reason names the fields, never the payload); the
        loop is not woken: nothing else changes."""
        rejection = SignalRejection(
            at=workflow.now(), signal=signal, reason=describe_validation_error(error)
        )
        if self._state is None:
            self._early_rejections.append(rejection)
        else:
            self._state.reject(rejection)

    @workflow.query(
        name="status",
        description="Limits, recent send times, held messages and recent malformed signals.",
    )
    def status(self) -> ThrottleState | None:
        return self._state
