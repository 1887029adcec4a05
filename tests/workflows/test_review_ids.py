"""Each incident gets a review of its own, even when an earlier incident with its key was
terminated while its review still runs; and `review_completed` only counts from that review."""

from __future__ import annotations

import uuid

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from escalation.review import ReviewState
from tests.workflows.helpers import entries, start_incident, wait_for, workflow_task_failures
from tests.workflows.test_review import RESOLVE, wait_for_review
from workflows.incident_verbs import REVIEW_DONE


async def test_an_incident_reusing_a_terminated_incidents_key_reaches_its_own_review(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    env = time_skipping_env
    worker = make_worker(env.client)
    key = f"t-{uuid.uuid4().hex[:10]}"
    async with worker.worker:
        first = await start_incident(worker, key=key, severity="high")
        await first.execute_update("resolve", RESOLVE)
        first_review = worker.track(
            (await wait_for(first, lambda s: s.review_workflow_id is not None)).review_workflow_id
        )
        await wait_for_review(first_review, lambda r: r.status == "open")
        await first.terminate("opened by mistake")  # its review runs on (ABANDON)

        second = await start_incident(worker, key=key, severity="high")
        assert second.id == first.id
        await second.execute_update("acknowledge", {"by": "alice"})
        await second.execute_update("resolve", RESOLVE | {"cause": "the real cause"})
        state = await wait_for(second, lambda s: s.review_workflow_id is not None)
        assert state.review_workflow_id != first_review.id
        assert state.review_workflow_id.startswith(f"review-{key}-")
        second_review = worker.track(state.review_workflow_id)
        review = await wait_for_review(second_review, lambda r: r.status == "open")
        assert review.incident_id == second.id
        assert await workflow_task_failures(second) == []

        # The first review ends and tells `incident-<key>`, which is now the second incident:
        # not its review, so recorded as rejected; so is a payload that is not an object. (The
        # first review reports before it signals: the two arrive in either order.)
        await first_review.execute_update("complete_review", {"by": "bob", "summary": "first"})
        await second.signal("review_completed", "done!")
        state = await wait_for(second, lambda s: len(entries(s, "rejected")) == 2)
        rejected = sorted((e.actor, e.detail) for e in entries(state, "rejected"))
        assert rejected == [
            ("bob", f"review_completed: not from this incident's review ({second_review.id})"),
            ("unknown", f"review_completed: takes one JSON object, e.g. {REVIEW_DONE}"),
        ]
        assert state.status == "resolved"

        await second_review.execute_update("complete_review", {"by": "bob", "summary": "second"})
        closed = await second.result()
        assert closed.status == "closed"
        assert entries(closed, "review_completed")[0].detail == "second"
        assert ReviewState.model_validate(await first_review.result()).summary == "first"
        # The review tells the incident before its own last archive write: wait for its end.
        await second_review.result()
        assert (await second_review.describe()).status == WorkflowExecutionStatus.COMPLETED
