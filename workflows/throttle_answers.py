"""The delivering workflow's side of a contact throttle: hearing its answers, calling off a held
message.

The throttle (`workflows/throttle.py`) answers by signal. Every workflow that delivers (incident,
review, on-call schedule) derives from HearsThrottleAnswers, which declares that signal with a
description, so the Temporal UI lists it like any other, and names the log a malformed answer is
recorded in as rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from escalation.commands import describe_validation_error
    from escalation.logbook import Logbook
    from escalation.messages import OutboundMessage
    from escalation.throttle import ANSWER_SIGNAL, WITHDRAW_SIGNAL, SlotAnswer, throttle_workflow_id
    from workflows.rejections import record_rejection


class ThrottleAnswers:
    """What the throttles answered, per notification id, furthest stage kept.

    Never raises: a bad payload is recorded as rejected in the workflow's log (`log`), or kept
    until that log exists (an incident's is made once its policy snapshot returns).
    """

    STAGE = {"send": 0, "held": 1, "delivered": 2, "failed": 2}

    def __init__(self, log: Callable[[], Logbook | None]) -> None:
        self.received: dict[str, SlotAnswer] = {}
        self._log = log
        self._unrecorded: list[str] = []

    def receive(self, payload: Any = None) -> None:
        try:
            answer = SlotAnswer.model_validate(payload)
        except ValidationError as error:
            self._unrecorded.append(f"{ANSWER_SIGNAL}: {describe_validation_error(error)}")
            self.record_rejections()
            return
        known = self.received.get(answer.notification_id)
        if known is None or self.STAGE[answer.outcome] > self.STAGE[known.outcome]:
            self.received[answer.notification_id] = answer

    def record_rejections(self) -> None:
        """Record the rejections kept so far, once the log exists; state only, so it wakes
        nothing. The sender is unknown: the throttle itself only sends valid answers."""
        log = self._log()
        if log is None:
            return
        for detail in self._unrecorded:
            record_rejection(log, "unknown", detail)
        self._unrecorded.clear()


class HearsThrottleAnswers:
    """Base of a workflow that delivers: declares the signal its contact throttles answer by."""

    def throttle_answer_log(self) -> Logbook | None:
        """The log a malformed answer is recorded in; None while the workflow has none yet."""
        raise NotImplementedError

    @cached_property
    def heard_throttle_answers(self) -> ThrottleAnswers:
        return ThrottleAnswers(self.throttle_answer_log)

    @workflow.signal(
        name=ANSWER_SIGNAL,
        description="Sent by a contact throttle (ContactThrottleWorkflow): whether a message may "
        "go out now, is held for a bundle, or how its bundle ended. Not for operators.",
    )
    def throttle_answer(self, payload: Any = None) -> None:
        self.heard_throttle_answers.receive(payload)


def throttle_answers() -> ThrottleAnswers:
    """The throttle answers of the workflow this runs in, which must hear them."""
    hearer = workflow.instance()
    assert isinstance(hearer, HearsThrottleAnswers), "a delivering workflow hears throttle answers"
    return hearer.heard_throttle_answers


async def withdraw(message: OutboundMessage) -> None:
    """Tell the throttle a held message is no longer wanted; it may have ended, which is fine."""
    throttle = workflow.get_external_workflow_handle(
        throttle_workflow_id(message.channel, message.address, workflow.info().task_queue)
    )
    try:
        await throttle.signal(WITHDRAW_SIGNAL, {"notification_id": message.notification_id})
    except FailureError as error:
        workflow.logger.info("withdraw of %s not delivered: %s", message.notification_id, error)
