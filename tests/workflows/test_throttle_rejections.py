"""Malformed signals between a contact throttle and the workflows it answers are recorded as
rejected where a query shows them (the timeline; the throttle's `status`), never only logged,
and never wedge either side."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from escalation.commands import describe_validation_error
from escalation.handoff_notices import ScheduleLog
from escalation.logbook import Logbook
from escalation.on_call_overrides import SCHEDULE_WORKFLOW, SET_OVERRIDE, ScheduleStart
from escalation.review import ReviewState
from escalation.throttle import (
    ANSWER_SIGNAL,
    REQUEST_SIGNAL,
    THROTTLE_WORKFLOW,
    WITHDRAW_SIGNAL,
    SlotAnswer,
    SlotRequest,
    SlotWithdrawal,
    ThrottleStart,
    ThrottleState,
    throttle_workflow_id,
)
from tests.conftest import IncidentWorker
from tests.polling import poll
from tests.workflows.helpers import (
    entries,
    start_incident,
    status,
    wait_for,
    workflow_task_failures,
)
from tests.workflows.test_review import resolved_critical_incident, review_status
from workflows.handoff_notices import HANDOFF_LOG_QUERY

HUGE = "A" * 10_000
"""In a payload, it must not reach the record: the reason names fields, not values."""
MALFORMED_ANSWERS: list[Any] = [
    None,
    "send",
    {},
    {"notification_id": "incident-x/n1", "outcome": "maybe", "at": "2026-12-02T10:00:00Z"},
    {"notification_id": [HUGE], "outcome": "send", "at": "2026-12-02T10:00:00Z"},
]
MALFORMED_REQUEST = {"requester": "incident-x", "message": HUGE}
MALFORMED_WITHDRAWALS: list[Any] = [None, {}, {"notification_id": 3}]
PHONE = "+15555550101"


def reason(model: type[BaseModel], payload: Any) -> str:
    """Why the workflow refuses the payload, computed with the same pure code it runs."""
    try:
        model.model_validate(payload)
    except ValidationError as error:
        return describe_validation_error(error)
    raise AssertionError(f"{payload!r} is a valid {model.__name__}")


async def answers_rejected(
    handle: WorkflowHandle, read: Callable[[], Awaitable[Logbook]], already_sent: int = 0
) -> None:
    """Signal the malformed answers (after the first `already_sent`); each leaves one short
    `rejected` line, in order, and no workflow task fails."""
    for payload in MALFORMED_ANSWERS[already_sent:]:
        await handle.signal(ANSWER_SIGNAL, payload)
    log = await poll(
        read,
        lambda log: len(entries(log, "rejected")) >= len(MALFORMED_ANSWERS),
        f"{handle.id} rejections",
    )
    rejected = entries(log, "rejected")
    assert [(e.actor, e.detail) for e in rejected] == [
        ("unknown", f"{ANSWER_SIGNAL}: {reason(SlotAnswer, p)}") for p in MALFORMED_ANSWERS
    ]
    assert max(len(e.detail) for e in rejected) < 200
    assert await workflow_task_failures(handle) == []


async def test_an_incident_records_malformed_answers_even_one_heard_before_it_opened(
    worker: IncidentWorker,
) -> None:
    """The first arrives with the start, before the policy snapshot: kept, recorded on opening."""
    incident = await start_incident(worker, start_signal=(ANSWER_SIGNAL, MALFORMED_ANSWERS[0]))
    await wait_for(incident, lambda s: bool(entries(s, "rejected")))
    await answers_rejected(incident, lambda: status(incident), already_sent=1)
    await incident.execute_update("acknowledge", {"by": "alice"})
    assert (await status(incident)).status == "acknowledged"


async def test_a_review_records_malformed_answers_and_still_completes(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker
) -> None:
    _, review = await resolved_critical_incident(time_skipping_env, worker)
    await answers_rejected(review, lambda: review_status(review))
    await review.execute_update("complete_review", {"by": "bob", "summary": "automated"})
    assert ReviewState.model_validate(await review.result()).status == "completed"


async def test_an_on_call_schedule_records_malformed_answers_and_still_takes_overrides(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker
) -> None:
    """It hears throttle answers for its hand-off notices; its log is the `handoff_log`."""
    schedule = await worker.client.start_workflow(
        SCHEDULE_WORKFLOW,
        ScheduleStart(schedule="primary"),
        id=f"oncall-test-{uuid.uuid4().hex[:8]}",
        task_queue=worker.task_queue,
    )
    worker.track(schedule.id)
    await answers_rejected(
        schedule, lambda: schedule.query(HANDOFF_LOG_QUERY, result_type=ScheduleLog)
    )
    now = await time_skipping_env.get_current_time()
    override = {
        "who": "carol",
        "from": now.isoformat(),
        "to": (now + timedelta(days=1)).isoformat(),
    }
    assert (await schedule.execute_update(SET_OVERRIDE, override))["who"] == "carol"


async def throttle_status(handle: WorkflowHandle) -> ThrottleState | None:
    return await handle.query("status", result_type=ThrottleState | None)


async def test_a_throttle_shows_malformed_requests_and_withdrawals_in_its_status(
    worker: IncidentWorker,
) -> None:
    """The malformed request starts the throttle (signal-with-start, as requesters do), so it
    is heard before the throttle has read its limits; it is kept all the same."""
    throttle = await worker.client.start_workflow(
        THROTTLE_WORKFLOW,
        ThrottleStart(channel="sms", address=PHONE),
        id=throttle_workflow_id("sms", PHONE, worker.task_queue),
        task_queue=worker.task_queue,
        start_signal=REQUEST_SIGNAL,
        start_signal_args=[MALFORMED_REQUEST],
    )
    worker.track(throttle.id)
    await poll(lambda: throttle_status(throttle), lambda s: bool(s.rejections), "the request")
    for payload in MALFORMED_WITHDRAWALS:
        await throttle.signal(WITHDRAW_SIGNAL, payload)

    expected = [(REQUEST_SIGNAL, reason(SlotRequest, MALFORMED_REQUEST))] + [
        (WITHDRAW_SIGNAL, reason(SlotWithdrawal, p)) for p in MALFORMED_WITHDRAWALS
    ]
    state = await poll(
        lambda: throttle_status(throttle),
        lambda s: len(s.rejections) >= len(expected),
        "the withdrawals",
    )
    assert [(r.signal, r.reason) for r in state.rejections] == expected
    assert HUGE not in state.model_dump_json()
    assert await workflow_task_failures(throttle) == []
    await throttle.signal(WITHDRAW_SIGNAL, {"notification_id": "incident-x/n1"})
    await poll(lambda: throttle_status(throttle), lambda s: "incident-x/n1" in s.seen, "withdrawal")
