"""A flood of malformed signals is counted, sampled on the timeline, and never wedges a workflow.

Before sampling, every rejected signal kept a line, and the lines crossed continue-as-new in the
carried state: 16,000 malformed `acknowledge` signals to one incident outgrew Temporal's 2 MB
payload limit at its handover (`WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE`, retried forever;
queries and updates refused). Now the first hundred get a line, then every hundredth.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from temporalio.client import WorkflowHandle

from escalation.logbook import LOG_BUDGET, REJECTIONS_LOGGED, Logbook
from tests.fuzz.conftest import Target
from tests.fuzz.support import incident_status, poll, review_status
from tests.workflows.helpers import workflow_task_failures

FLOOD = 3 * REJECTIONS_LOGGED + 30
BATCH = 50
L = TypeVar("L", bound=Logbook)


async def flooded(
    handle: WorkflowHandle,
    read: Callable[[WorkflowHandle], Awaitable[L | None]],
    verb: str,
    by: str,
) -> L:
    """The state after FLOOD malformed `verb` signals (a number where text belongs), once all
    are counted."""
    for start in range(0, FLOOD, BATCH):
        await asyncio.gather(
            *(
                handle.signal(verb, {"by": by, "text": n})
                for n in range(start, min(start + BATCH, FLOOD))
            )
        )
    state = await poll(
        lambda: read(handle),
        lambda s: s is not None and s.rejections >= FLOOD,
        f"{handle.id}: {FLOOD} rejections counted",
    )
    assert state is not None
    return state


def assert_sampled(state: Logbook, verb: str) -> None:
    """A line each for the first hundred, then one standing for each further hundred."""
    assert state.rejections == FLOOD
    lines = [e.detail for e in state.timeline if e.kind == "rejected"]
    assert len(lines) == REJECTIONS_LOGGED + 2
    assert all(line.startswith(f"{verb}: text: Input should be a valid string") for line in lines)
    assert lines[-2].endswith("(rejection #200; #101-#199 counted)")
    assert lines[-1].endswith("(rejection #300; #201-#299 counted)")


async def test_a_flood_of_bad_signals_to_an_incident_is_sampled_and_it_still_answers(
    live_incident: Target,
) -> None:
    handle = live_incident.incident
    state = await flooded(handle, incident_status, "add_note", "mallory")
    assert_sampled(state, "add_note")
    assert await workflow_task_failures(handle) == []
    await handle.execute_update("add_note", {"by": "alice", "text": "still answering"})


async def test_a_flood_of_bad_signals_to_a_review_is_sampled_and_it_still_answers(
    live_review: Target,
) -> None:
    review = live_review.review
    assert review is not None
    state = await flooded(review, review_status, "submit_feedback", "a@b.example")
    assert_sampled(state, "submit_feedback")
    assert await workflow_task_failures(review) == []
    await review.execute_update("submit_feedback", {"by": "acme", "text": "still answering"})


def test_sixteen_thousand_rejections_keep_the_log_small() -> None:
    """The flood that wedged an incident now leaves a few hundred lines: far inside the log's
    budget, so operators keep their room for notes and updates too."""
    log = Logbook()
    at = datetime(2026, 12, 3, tzinfo=UTC)
    for n in range(16_000):
        detail = f"acknowledge: note: Input should be a valid string ({n})"
        log.record_rejection(at, "mallory", detail, sampled=True)
    assert log.rejections == 16_000
    assert len(log.timeline) == REJECTIONS_LOGGED + 159
    assert len(log.model_dump_json()) < LOG_BUDGET // 10
    assert log.room_for("x" * 10_000)
