"""A reopen and a second resolution while the review runs: the review, and the final report it
sends on completion, tell the last resolution, not the first."""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from escalation.review import ReviewState
from tests.workflows.helpers import entries, start_incident, wait_for, workflow_task_failures
from tests.workflows.test_review import RESOLVE, wait_for_review

SECOND = RESOLVE | {"cause": "a second expired cert", "resolution": "rotated every cert"}


async def test_the_review_reports_the_last_resolution(
    time_skipping_env: WorkflowEnvironment, make_worker, outbox: Outbox
) -> None:
    env = time_skipping_env
    worker = make_worker(env.client)
    async with worker.worker:
        incident = await start_incident(worker, severity="high")
        await incident.execute_update("acknowledge", {"by": "alice"})
        await incident.execute_update("resolve", RESOLVE)
        state = await wait_for(incident, lambda s: s.review_workflow_id is not None)
        review = worker.track(state.review_workflow_id)
        await wait_for_review(review, lambda r: r.status == "open")

        await incident.execute_update("reopen", {"by": "erin", "reason": "errors are back"})
        await incident.execute_update("acknowledge", {"by": "bob"})
        await incident.execute_update("resolve", SECOND | {"by": "bob"})
        opened = await wait_for_review(review, lambda r: bool(entries(r, "incident_resolved")))
        assert entries(opened, "incident_resolved")[0].detail == (
            "resolved again by bob: a second expired cert"
        )

        await review.execute_update("complete_review", {"by": "bob", "summary": "two certs"})
        final = ReviewState.model_validate(await review.result())
        closed = await incident.result()
        assert closed.status == "closed"
        assert await workflow_task_failures(incident) == []

    reports = [  # the final reports the review emailed (not its assignment notice)
        m
        for m in outbox.read()
        if str(m["notification_id"]).startswith(f"{review.id}/")
        and "## Who was engaged" in str(m["text"])
    ]
    assert {m["to"] for m in reports} >= {"frank@example.com"}
    for report in reports:  # (the timeline still tells both resolutions)
        assert "- Cause: a second expired cert\n" in str(report["text"])
        assert "- Resolution: rotated every cert\n" in str(report["text"])
    assert final.status == "completed"
