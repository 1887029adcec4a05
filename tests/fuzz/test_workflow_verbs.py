"""Arbitrary JSON at every signal and update of both workflows, on the time-skipping server.

Each test owns one server and one long-lived workflow (see `tests/fuzz/conftest.py`); every
Hypothesis example sends a batch of (verb, payload, signal-or-update) to that same workflow.
Payloads the workflow would accept are not sent, so the workflow's state holds still and every
send has one exact expected answer, computed with the same pure code the workflow runs:

- a bad signal leaves exactly one `rejected` line, `<verb>: <reason>`, in the timeline (past
  the hundredth rejection, one line per hundred: `logged`), and is counted in `rejections`;
- a bad update fails with an ApplicationError whose message is `<verb>: <reason>`, and leaves
  nothing in the timeline;
- no workflow task ever fails.

How Hypothesis drives these async tests is explained in `tests/fuzz/__init__.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError

from escalation.contract import CommandResult
from escalation.logbook import Logbook, rejection_line
from escalation.review import ReviewState
from tests.fuzz.conftest import Target
from tests.fuzz.support import (
    fuzz_settings,
    incident_calls,
    incident_rejection,
    incident_status,
    json_values,
    poll,
    review_calls,
    review_rejection,
    review_status,
)
from tests.workflows.helpers import workflow_task_failures
from workflows.incident_verbs import REVIEW_DONE

BATCH = st.lists(st.tuples(st.booleans(), incident_calls), min_size=1, max_size=6)
REVIEW_BATCH = st.lists(st.tuples(st.booleans(), review_calls), min_size=1, max_size=6)


async def refused_update(handle: WorkflowHandle, verb: str, payload: Any) -> str:
    """The message an update is refused with; fails the test if the update is accepted."""
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(verb, payload, result_type=CommandResult)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError), f"{verb} refused without an ApplicationError"
    return cause.message


def logged(before: Logbook, rejections: list[str]) -> list[str]:
    """The lines these rejections leave after those `before` counted: past the hundredth, one
    per hundred (the workflow's own `rejection_line`)."""
    first = before.rejections + 1
    lines = (rejection_line(n, detail) for n, detail in enumerate(rejections, first))
    return [line for line in lines if line is not None]


async def send_refusable(
    handle: WorkflowHandle,
    batch: list[tuple[bool, tuple[str, Any]]],
    rejection: Callable[[str, Any], str | None],
) -> list[str]:
    """Send each call the workflow must refuse, as an update (checking its refusal at once) or
    as a signal; returns the rejection lines the signals must leave, in order. Calls the
    workflow would accept are skipped, so its state holds still."""
    signalled: list[str] = []
    for as_update, (verb, payload) in batch:
        expected = rejection(verb, payload)
        if expected is None:
            event("accepted payload skipped")
            continue
        event(f"{verb} as {'an update' if as_update else 'a signal'}")
        if as_update:
            assert await refused_update(handle, verb, payload) == expected
        else:
            await handle.signal(verb, payload)
            signalled.append(expected)
    return signalled


@fuzz_settings(max_examples=30, shrink=False)
@given(data=st.data())
async def test_incident_refuses_every_bad_signal_and_update(
    live_incident: Target, data: st.DataObject
) -> None:
    handle, policy = live_incident.incident, live_incident.policy
    before = await poll(lambda: incident_status(handle), lambda s: True, "status")
    signalled = await send_refusable(
        handle,
        data.draw(BATCH),
        lambda verb, payload: incident_rejection(policy, before, verb, payload),
    )

    after = await poll(
        lambda: incident_status(handle),
        lambda s: s.rejections >= before.rejections + len(signalled),
        f"{len(signalled)} rejections",
    )
    # exactly the signals' rejections, in order; updates left nothing behind
    assert [e.detail for e in after.timeline[len(before.timeline) :]] == logged(before, signalled)
    assert all(e.kind == "rejected" for e in after.timeline[len(before.timeline) :])
    assert (after.status, after.severity, after.tier) == (
        before.status,
        before.severity,
        before.tier,
    )
    assert await workflow_task_failures(handle) == []


@fuzz_settings(max_examples=30, shrink=False)
@given(data=st.data())
async def test_review_refuses_every_bad_signal_and_update(
    live_review: Target, data: st.DataObject
) -> None:
    review = live_review.review
    assert review is not None
    before = await review_status(review)
    signalled = await send_refusable(
        review,
        data.draw(REVIEW_BATCH),
        lambda verb, payload: review_rejection(live_review.policy, before, verb, payload),
    )

    def caught_up(state: ReviewState) -> bool:
        return state.rejections >= before.rejections + len(signalled)

    after = await poll(lambda: review_status(review), caught_up, "review rejections")
    added = after.timeline[len(before.timeline) :]
    assert [e.detail for e in added] == logged(before, signalled)
    assert all(e.kind == "rejected" for e in added)
    assert after.status == "open"
    assert after.action_items == before.action_items
    assert after.feedback == before.feedback
    assert await workflow_task_failures(review) == []


odd_review_reports = (
    json_values
    | st.fixed_dictionaries({}, optional={"by": json_values, "summary": json_values})
    | st.dictionaries(st.sampled_from(["by", "summary", "extra"]), json_values, max_size=3)
)


@fuzz_settings(max_examples=25, shrink=False)
@given(reports=st.lists(odd_review_reports, min_size=1, max_size=5))
async def test_review_completed_tolerates_any_payload_and_never_wedges(
    live_incident: Target, reports: list[Any]
) -> None:
    """The internal `review_completed` signal records what does not name this incident's review
    (none was started here) as rejected, a non-object too, so no stray signal can skip a review.
    The incident stays open and keeps answering.
    """
    handle = live_incident.incident
    before = await poll(lambda: incident_status(handle), lambda s: True, "status")
    expected: list[tuple[str, str, str]] = []
    assert before.review_workflow_id is None
    for report in reports:
        await handle.signal("review_completed", report)
        if isinstance(report, dict):
            by = report.get("by")
            actor = by.strip()[:100] if isinstance(by, str) and by.strip() else "unknown"
            reason = "review_completed: not from this incident's review (none started)"
            expected.append(("rejected", actor, reason))
        else:
            reason = f"review_completed: takes one JSON object, e.g. {REVIEW_DONE}"
            expected.append(("rejected", "unknown", reason))
    # a marker: signals are handled in order, so once it is recorded every report above was
    await handle.signal("add_note", {"by": "fuzz"})
    after = await poll(
        lambda: incident_status(handle),
        lambda s: bool(s.timeline) and s.timeline[-1].detail.startswith("add_note: "),
        "marker rejection",
    )
    got = [(e.kind, e.actor, e.detail) for e in after.timeline[len(before.timeline) : -1]]
    assert got == expected
    assert after.status == "triggered"
    assert await workflow_task_failures(handle) == []
    result = await handle.execute_update(
        "add_note", {"by": "fuzz", "text": "still answering"}, result_type=CommandResult
    )
    assert result.status == "triggered"


UNDECODABLE = [
    b"[" * 300 + b"]" * 300,  # deeper than the JSON decoder allows
    b"1" * 5000,  # a number too long for Python's int conversion
    b"{not json",
    b"\xff\xfe",
]


async def test_payloads_that_are_not_json_never_wedge(live_incident: Target) -> None:
    """What the Python client cannot even send, another client can: raw bytes as `json/plain`.

    They never reach the workflow's code. The SDK refuses such an update ("Failed decoding
    arguments", without the `<verb>: ` prefix) and drops such a signal without a trace in the
    timeline; either way no workflow task fails and the incident keeps answering.
    """
    handle = live_incident.incident
    for data in UNDECODABLE:
        raw = RawValue(Payload(metadata={"encoding": b"json/plain"}, data=data))
        await handle.signal("add_note", raw)
        with pytest.raises(WorkflowUpdateFailedError) as failure:
            await handle.execute_update("add_note", raw)
        assert isinstance(failure.value.cause, ApplicationError)
        assert "decod" in failure.value.cause.message
    await handle.signal("add_note", {"by": "marker"})
    after = await poll(
        lambda: incident_status(handle),
        lambda s: s.timeline[-1].actor == "marker",
        "marker rejection",
    )
    assert after.timeline[-1].detail == "add_note: text: Field required"
    assert await workflow_task_failures(handle) == []
