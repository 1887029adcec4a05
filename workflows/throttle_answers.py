"""The delivering workflow's side of a contact throttle: hearing its answers, withdrawing requests.

The throttle (`workflows/throttle.py`) answers by signal. Any workflow that delivers (incident,
review) hears it through a handler registered on first use, without declaring anything.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from escalation.messages import OutboundMessage
    from escalation.throttle import ANSWER_SIGNAL, WITHDRAW_SIGNAL, SlotAnswer, throttle_workflow_id


class ThrottleAnswers:
    """The `throttle_answer` signal handler of the workflow it runs in, and what it received.

    Registered on first use with `workflow.set_signal_handler`, so every workflow that delivers
    (incident, review) hears its throttles without declaring anything; answers that arrive before
    that are buffered by the SDK. Never raises: a bad payload is logged and dropped.
    """

    STAGE = {"send": 0, "held": 1, "delivered": 2, "failed": 2}

    def __init__(self) -> None:
        self.received: dict[str, SlotAnswer] = {}

    def receive(self, payload: Any = None) -> None:
        try:
            answer = SlotAnswer.model_validate(payload)
        except ValidationError as error:
            workflow.logger.warning("malformed %s ignored: %s", ANSWER_SIGNAL, error)
            return
        known = self.received.get(answer.notification_id)
        if known is None or self.STAGE[answer.outcome] > self.STAGE[known.outcome]:
            self.received[answer.notification_id] = answer


def throttle_answers() -> ThrottleAnswers:
    """This workflow's throttle answers, registering the signal handler the first time."""
    handler = workflow.get_signal_handler(ANSWER_SIGNAL)
    answers = getattr(handler, "__self__", None)
    if isinstance(answers, ThrottleAnswers):
        return answers
    answers = ThrottleAnswers()
    workflow.set_signal_handler(ANSWER_SIGNAL, answers.receive)
    return answers


async def withdraw(message: OutboundMessage) -> None:
    """Tell the throttle a held message is no longer wanted; it may have ended, which is fine."""
    throttle = workflow.get_external_workflow_handle(
        throttle_workflow_id(message.channel, message.address, workflow.info().task_queue)
    )
    try:
        await throttle.signal(WITHDRAW_SIGNAL, {"notification_id": message.notification_id})
    except FailureError as error:
        workflow.logger.info("withdraw of %s not delivered: %s", message.notification_id, error)
