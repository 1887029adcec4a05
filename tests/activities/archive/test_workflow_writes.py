"""The incident and review workflows write themselves to the archive (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.archive.database import Archive
from activities.archive.reads import find_incident, find_reviews
from escalation.archive import ARCHIVE_INCIDENT, ARCHIVE_REVIEW, log_version
from escalation.incident import IncidentState
from escalation.review import ReviewState
from tests.polling import poll
from tests.workflows.helpers import start_incident, wait_for

RESOLVE = {
    "by": "alice",
    "cause": "expired cert",
    "resolution": "rotated it",
    "preventive_measures": ["alert before expiry"],
}


async def archived(
    archive: Archive, key: str, condition: Callable[[IncidentState], bool]
) -> IncidentState:
    return await poll(
        lambda: asyncio.to_thread(find_incident, archive.engine, key),
        condition,
        f"archived {key}",
        every=0.2,
    )


async def archived_review(
    archive: Archive, incident_id: str, condition: Callable[[ReviewState], bool]
) -> ReviewState:
    async def read() -> ReviewState | None:
        return (await asyncio.to_thread(find_reviews, archive.engine, [incident_id])).get(
            incident_id
        )

    return await poll(read, condition, f"archived review of {incident_id}", every=0.2)


async def scheduled(handle: WorkflowHandle, activity: str) -> int:
    """How many times the workflow scheduled this activity (retries are not new events)."""
    history = await handle.fetch_history()
    return sum(
        1
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and event.activity_task_scheduled_event_attributes.activity_type.name == activity
    )


async def test_an_incident_and_its_review_are_archived_from_open_to_close(
    time_skipping_env: WorkflowEnvironment, make_worker, archive: Archive
) -> None:
    worker = make_worker(time_skipping_env.client, archive=archive)
    async with worker.worker:
        incident = await start_incident(worker, clients_affected=["acme", "globex"])  # critical
        opened = await wait_for(incident, lambda s: bool(s.notifications))
        first = await archived(archive, opened.key, lambda s: s.status == "triggered")
        assert first.incident_id == incident.id
        assert first.clients_affected == ["acme", "globex"]

        await incident.execute_update("acknowledge", {"by": "alice"})
        acked = await archived(archive, opened.key, lambda s: s.status == "acknowledged")
        assert acked.acknowledged_by == "alice"

        await incident.execute_update("resolve", RESOLVE)
        state = await wait_for(incident, lambda s: s.review_workflow_id is not None)
        assert state.review_workflow_id is not None
        review = worker.track(state.review_workflow_id)
        await archived_review(archive, incident.id, lambda r: r.status == "open")
        await review.execute_update(
            "add_action_item", {"by": "alice", "title": "alert before expiry", "owner": "bob"}
        )
        await archived_review(archive, incident.id, lambda r: len(r.action_items) == 1)
        await review.execute_update("complete_action_item", {"by": "bob", "id": "A1"})
        await review.execute_update("submit_feedback", {"by": "ops@acme.example", "text": "ok"})
        await review.execute_update("complete_review", {"by": "alice", "summary": "automated"})

        final = IncidentState.model_validate(await incident.result())
        finished = ReviewState.model_validate(await review.result())
        assert final.status == "closed"
        # the final writes are awaited before each workflow completes: nothing left to poll for
        assert find_incident(archive.engine, opened.key) == final
        assert find_reviews(archive.engine, [incident.id]) == {incident.id: finished}
        stored = find_reviews(archive.engine, [incident.id])[incident.id]
        assert [(i.id, i.done_by) for i in stored.action_items] == [("A1", "bob")]
        assert [f.text for f in stored.feedback] == ["ok"]

        # one write per change of status (and the closing one), not one per timeline line
        writes = await scheduled(incident, ARCHIVE_INCIDENT)
        assert 4 <= writes < log_version(final)
        assert await scheduled(review, ARCHIVE_REVIEW) == 5  # open, +item, done, feedback, end
