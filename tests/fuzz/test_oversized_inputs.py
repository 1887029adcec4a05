"""Oversized arguments are refused with a clear message and never stored.

Each is sent both ways, as a signal (one `rejected` line naming the limit) and as an update
(refused with the same message); afterwards the whole `status` of the workflow is still small,
which proves the megabyte went nowhere: not into the timeline, the state or the notifications.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from escalation.commands import parse_command
from escalation.logbook import Logbook, TimelineEntry
from escalation.review import REVIEW_BUDGET
from tests.fuzz.conftest import Target
from tests.fuzz.support import incident_status, poll, review_status
from tests.fuzz.test_workflow_verbs import refused_update
from tests.workflows.helpers import workflow_task_failures

MEGABYTE = "Z" * 1_000_000
ALERT = {"title": "checkout 5xx", "service": "payments", "source": "prometheus"}

INCIDENT_OVERSIZED: list[tuple[str, dict[str, Any], str]] = [
    ("add_note", {"by": "alice", "text": MEGABYTE}, "text: String should have at most 10000"),
    ("acknowledge", {"by": "alice", "note": MEGABYTE}, "note: String should have at most 10000"),
    ("acknowledge", {"by": MEGABYTE}, "by: String should have at most 100 characters"),
    ("post_update", {"by": "alice", "message": MEGABYTE}, "message: String should have at most"),
    ("escalate", {"by": "alice", "reason": MEGABYTE}, "reason: String should have at most"),
    (
        "change_severity",
        {"by": "alice", "severity": MEGABYTE},
        "severity: String should have at most 50",
    ),
    ("reopen", {"by": "alice", "reason": MEGABYTE}, "reason: String should have at most"),
    ("start_review", {"by": "alice", "owner": MEGABYTE}, "owner: String should have at most 100"),
    (
        "resolve",
        {
            "by": "alice",
            "cause": "c",
            "resolution": "r",
            "preventive_measures": [f"measure {n}" for n in range(10_000)],
        },
        "preventive_measures: List should have at most 100 items",
    ),
    (
        "resolve",
        {"by": "alice", "cause": "c", "resolution": "r", "preventive_measures": [MEGABYTE]},
        "preventive_measures.0: String should have at most 1000",
    ),
    ("new_alert", {**ALERT, "description": MEGABYTE}, "description: String should have at most"),
    ("new_alert", {**ALERT, "title": MEGABYTE}, "title: String should have at most 200"),
    ("new_alert", {**ALERT, "severity": MEGABYTE}, "severity: String should have at most 50"),
    (
        "new_alert",
        {**ALERT, "clients_affected": [f"client-{n}" for n in range(10_000)]},
        "clients_affected: List should have at most 500 items",
    ),
    (
        "new_alert",
        {**ALERT, "clients_affected": [MEGABYTE]},
        "clients_affected.0: String should have at most 100",
    ),
    (
        "add_note",
        {"by": "alice", "text": "t", MEGABYTE: 1},
        "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ...: Extra inputs are not permitted",
    ),
    (
        "add_note",
        {"by": "alice", "text": "t", **{f"key{n}": n for n in range(10_000)}},
        "key0: Extra inputs are not permitted; key1: ",
    ),
    (
        "new_alert",
        {**ALERT, "users_affected": 10**40},
        "users_affected: Input should be less than or equal to 10000000000",
    ),
]

REVIEW_OVERSIZED: list[tuple[str, dict[str, Any], str]] = [
    (
        "add_action_item",
        {"by": "alice", "title": MEGABYTE, "owner": "bob"},
        "title: String should have at most 500 characters",
    ),
    (
        "add_action_item",
        {"by": "alice", "title": "Z" * 501, "owner": "bob"},
        "title: String should have at most 500 characters",
    ),
    (
        "add_action_item",
        {"by": "alice", "title": "t", "owner": MEGABYTE},
        "owner: String should have at most 100",
    ),
    ("complete_action_item", {"by": "bob", "id": MEGABYTE}, "id: String should have at most 20"),
    ("submit_feedback", {"by": "a@b.example", "text": MEGABYTE}, "text: String should have at"),
    ("complete_review", {"by": "alice", "summary": MEGABYTE}, "summary: String should have at"),
]

STATUS_LIMIT = 100_000
"""The whole `status` JSON after all of the above: a few kilobytes of timeline and messages."""


L = TypeVar("L", bound=Logbook)


async def refused_both_ways(
    handle: WorkflowHandle,
    read: Callable[[WorkflowHandle], Awaitable[L | None]],
    cases: list[tuple[str, dict[str, Any], str]],
) -> tuple[L, list[TimelineEntry]]:
    """Each case as an update (refused with the message) and as a signal; once every refusal is
    on the timeline as `rejected`, the state and the entries the cases added."""
    before = await read(handle)
    assert before is not None
    expected = []
    for verb, payload, message in cases:
        refusal = await refused_update(handle, verb, payload)
        assert refusal.startswith(f"{verb}: {message}"), refusal
        await handle.signal(verb, payload)
        expected.append(refusal)
    after = await poll(
        lambda: read(handle),
        lambda s: s is not None and len(s.timeline) >= len(before.timeline) + len(expected),
        f"{handle.id}: oversized rejections",
    )
    added = after.timeline[len(before.timeline) :]
    assert [(e.kind, e.detail) for e in added] == [("rejected", line) for line in expected]
    return after, added


async def test_oversized_incident_arguments_are_refused_and_not_stored(
    live_incident: Target,
) -> None:
    handle = live_incident.incident
    after, added = await refused_both_ways(handle, incident_status, INCIDENT_OVERSIZED)
    # a `by` that fails validation is still named in the record, cut to its first 100 characters
    assert [e.actor for e in added][:3] == ["alice", "alice", "Z" * 100]
    assert len(after.model_dump_json()) < STATUS_LIMIT
    assert not any("Z" * 101 in e.detail + e.actor for e in after.timeline)
    assert len(after.clients_affected) == 1
    assert await workflow_task_failures(handle) == []


async def test_oversized_review_arguments_are_refused_and_not_stored(live_review: Target) -> None:
    review = live_review.review
    assert review is not None
    after, _ = await refused_both_ways(review, review_status, REVIEW_OVERSIZED)
    assert after.action_items == [] and after.feedback == [] and after.status == "open"
    assert len(after.model_dump_json()) < STATUS_LIMIT
    assert await workflow_task_failures(review) == []


@pytest.mark.parametrize("verb", ["add_note", "post_update"])
def test_limits_are_generous(verb: str) -> None:
    """The limits bound abuse, not use: a 10,000-character note or update is fine."""
    field = "text" if verb == "add_note" else "message"
    assert parse_command(verb, {"by": "alice", field: "x" * 10_000})


async def test_a_review_refuses_text_past_its_budget_and_still_completes(
    live_review: Target,
) -> None:
    """Feedback and action items count against the review's budget, both ways; completing it
    always fits, so a full review never keeps its incident from closing."""
    review = live_review.review
    assert review is not None
    feedback = {"by": "ops@acme.example", "text": "y" * 10_000}
    item = {"by": "alice", "title": "z" * 500, "owner": "bob", "blocking": False}
    taken = {
        "submit_feedback": await taken_until_full(review, "submit_feedback", feedback, "text"),
        "add_action_item": await taken_until_full(review, "add_action_item", item, "title"),
    }
    assert taken["submit_feedback"] >= REVIEW_BUDGET // 2 // 10_000 - 1
    full = await review_status(review)
    assert len(full.feedback) == taken["submit_feedback"]
    assert len(full.action_items) == taken["add_action_item"]
    assert full.size() <= REVIEW_BUDGET
    await review.signal("submit_feedback", feedback)
    rejected = await poll(
        lambda: review_status(review), lambda s: s.rejections == 1, f"{review.id}: rejected"
    )
    assert rejected.timeline[-1].detail.startswith("submit_feedback: the review's log is full")
    assert len(rejected.feedback) == taken["submit_feedback"]
    await review.execute_update("complete_review", {"by": "alice", "summary": "y" * 10_000})
    assert (await review_status(review)).status == "completed"
    assert await workflow_task_failures(review) == []


async def taken_until_full(
    review: WorkflowHandle, verb: str, payload: dict[str, Any], text: str
) -> int:
    """How many times the update was taken before the review refused it for a full log."""
    for taken in range(REVIEW_BUDGET // len(payload[text]) + 1):
        try:
            await review.execute_update(verb, payload)
        except WorkflowUpdateFailedError as refusal:
            assert isinstance(refusal.cause, ApplicationError)
            assert refusal.cause.message.startswith(f"{verb}: the review's log is full")
            return taken
    raise AssertionError(f"{verb} never refused")
