"""PostIncidentReviewWorkflow on the time-skipping server: start, reminders, items, closing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from escalation.review import ReviewState
from tests.conftest import IncidentWorker
from tests.polling import poll
from tests.workflows.helpers import (
    entries,
    incident_started,
    start_incident,
    status,
    ui_signals,
    wait_for,
    workflow_task_failures,
)

RESOLVE = {
    "by": "alice",
    "cause": "expired cert",
    "resolution": "rotated it",
    "preventive_measures": ["alert"],
}


async def review_status(handle: WorkflowHandle) -> ReviewState:
    return await handle.query("status", result_type=ReviewState)


async def resolved_critical_incident(
    env: WorkflowEnvironment, worker
) -> tuple[WorkflowHandle, WorkflowHandle]:
    incident = await start_incident(worker, clients_affected=["acme", "globex"])
    await incident.execute_update("acknowledge", {"by": "alice"})
    await incident.execute_update("resolve", RESOLVE)
    state = await wait_for(incident, lambda s: s.review_workflow_id is not None)
    review = worker.track(state.review_workflow_id)
    await wait_for_review(review, lambda r: bool(r.timeline))
    return incident, review


async def wait_for_review(
    handle: WorkflowHandle, condition: Callable[[ReviewState], bool]
) -> ReviewState:
    """Poll the review's status (retrying until the child has started) until the condition holds."""
    return await poll(lambda: review_status(handle), condition, f"{handle.id} status")


async def refusal(handle: WorkflowHandle, verb: str, payload: object) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(verb, payload)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    return cause.message


async def test_resolving_a_critical_incident_starts_its_review_and_stays_resolved(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker
) -> None:
    env = time_skipping_env
    incident, review = await resolved_critical_incident(env, worker)
    assert review.id.startswith(f"review-{(await status(incident)).key}-")
    state = await review_status(review)
    assert (state.owner, state.status) == (
        "bob",
        "open",
    )  # policy: payments reviews are owned by bob
    incident_state = await status(incident)
    assert incident_state.resolved_at is not None
    assert state.due_at - incident_state.resolved_at == timedelta(days=5)
    assert incident_state.status == "resolved"
    incident_state = await wait_for(
        incident, lambda s: any(n.purpose == "final_report_client" for n in s.notifications)
    )
    to = {n.to for n in incident_state.notifications if n.purpose == "final_report_client"}
    assert to == {"ops@acme.example", "noc@globex.example", "frank@example.com"}


async def test_the_ui_lists_every_review_signal_with_a_description(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    """The throttle's answer included: the UI's Send a Signal dropdown shows each described."""
    worker = make_worker(time_skipping_env.client)
    async with worker.worker:
        signals = await ui_signals((await resolved_critical_incident(time_skipping_env, worker))[1])
    assert "throttle_answer" in signals
    assert [name for name, description in signals.items() if not description] == []


async def test_a_low_incident_needs_no_review(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    env = time_skipping_env
    async with incident_started(env, make_worker, severity="low") as incident:
        await incident.execute_update("resolve", RESOLVE)
        final = await incident.result()
        assert (final.status, final.review_workflow_id) == ("closed", None)


async def test_reminders_and_overdue_escalation_fire_at_their_times(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker
) -> None:
    env = time_skipping_env
    _, review = await resolved_critical_incident(env, worker)
    opened = (await review_status(review)).opened_at
    await env.sleep(timedelta(days=6, minutes=1))
    state = await wait_for_review(review, lambda r: len(entries(r, "reminder")) == 2)
    reminders = [(e.at - opened) for e in entries(state, "reminder")]
    overdue = [(e.at - opened) for e in entries(state, "overdue")]
    assert [round(d.total_seconds() / 3600) for d in reminders] == [4 * 24, 6 * 24]
    assert [round(d.total_seconds() / 3600) for d in overdue] == [5 * 24]
    assert state.overdue_escalated
    purposes = {(n.purpose, n.recipient) for n in state.notifications}
    assert ("review_overdue", "Erin Walsh (Head of Support)") in purposes
    assert ("review_reminder", "Bob Okafor") in purposes
    assert ("review_assigned", "Bob Okafor") in purposes


async def test_action_items_gate_completion_then_the_incident_closes(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker
) -> None:
    env = time_skipping_env
    incident, review = await resolved_critical_incident(env, worker)
    due = (await review_status(review)).opened_at + timedelta(days=2)
    added = await review.execute_update(
        "add_action_item",
        {"by": "bob", "title": "alert before expiry", "owner": "carol", "due": due.isoformat()},
    )
    assert added.startswith("A1: alert before expiry")
    await review.execute_update(
        "submit_feedback", {"by": "ops@acme.example", "text": "updates were timely"}
    )
    reason = await refusal(review, "complete_review", {"by": "bob", "summary": "done"})
    assert (
        reason == "complete_review: blocking action items are still open: A1 (alert before expiry)"
    )
    assert "no action item 'A9' (action items: A1)" in await refusal(
        review, "complete_action_item", {"by": "carol", "id": "A9"}
    )
    assert "text: Field required" in await refusal(review, "submit_feedback", {"by": "x"})
    await env.sleep(timedelta(days=2, minutes=1))
    state = await wait_for_review(
        review, lambda r: any("A1 is overdue" in e.detail for e in r.timeline)
    )
    assert ("action_item_reminder", "Carol Diaz") in {
        (n.purpose, n.recipient) for n in state.notifications
    }
    await review.execute_update("complete_action_item", {"by": "carol", "id": "A1"})
    assert "already completed by carol" in await refusal(
        review, "complete_action_item", {"by": "c", "id": "A1"}
    )
    await review.execute_update("complete_review", {"by": "bob", "summary": "rotation automated"})
    final = ReviewState.model_validate(await review.result())
    assert final.status == "completed"
    assert [f.text for f in final.feedback] == ["updates were timely"]
    closed = await incident.result()
    assert closed.status == "closed"
    assert entries(closed, "review_completed")[0].detail == "rotation automated"
    reports = {
        (n.purpose, n.to) for n in final.notifications if n.purpose.startswith("final_report")
    }
    assert ("final_report", "frank@example.com") in reports
    assert ("final_report_client", "ops@acme.example") in reports
    assert await workflow_task_failures(review) == []


async def test_the_review_outlives_the_incident_workflow(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker
) -> None:
    env = time_skipping_env
    incident, review = await resolved_critical_incident(env, worker)
    await incident.terminate("operator ended it")
    assert (await review.describe()).status == WorkflowExecutionStatus.RUNNING
    await review.signal("complete_review", "not an object")
    await review.execute_update("complete_review", {"by": "bob", "summary": "ok"})
    final = ReviewState.model_validate(await review.result())
    assert final.status == "completed"
    assert entries(final, "rejected")[0].detail.startswith("complete_review: argument:")
    assert [e.detail for e in entries(final, "warning")] == [
        "could not tell the incident: ApplicationError: "
        "Unable to signal external workflow because it was not found"
    ]
