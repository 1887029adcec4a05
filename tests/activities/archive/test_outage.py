"""A database outage during an incident: the page goes out on time, the archive catches up."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.archive.database import Archive
from escalation.archive import ARCHIVE_INCIDENT
from tests.activities.archive.postgres import PostgresCluster
from tests.activities.archive.test_workflow_writes import archived
from tests.polling import poll
from tests.workflows.helpers import start_incident, wait_for, workflow_task_failures

pytestmark = pytest.mark.e2e

PAGE_WITHIN_SECONDS = 10.0
"""Opening to the first page on the dev server, with the worker on a loaded machine."""


@pytest.fixture
def down_postgres(postgres: PostgresCluster) -> Iterator[tuple[PostgresCluster, Archive]]:
    """A migrated archive database whose server is stopped; running again after the test."""
    archive = Archive(postgres.new_database())
    assert archive.engine is not None  # migrated while up, as after an earlier incident
    archive.dispose()
    postgres.stop()
    try:
        yield postgres, archive
    finally:
        archive.dispose()
        postgres.start()


async def test_an_outage_delays_no_page_and_loses_no_row(
    dev_server_env: WorkflowEnvironment,
    make_worker,
    down_postgres: tuple[PostgresCluster, Archive],
) -> None:
    postgres, archive = down_postgres
    worker = make_worker(dev_server_env.client, archive=archive)
    async with worker.worker:
        incident = await start_incident(worker)
        paged = await wait_for(
            incident,
            lambda s: any(n.purpose == "page" and n.status == "outbox" for n in s.notifications),
        )
        page = next(n for n in paged.notifications if n.purpose == "page")
        assert (page.at - paged.opened_at).total_seconds() < PAGE_WITHIN_SECONDS

        async def retried_writes() -> list[int]:
            description = await incident.describe()
            pending = description.raw_description.pending_activities
            return [a.attempt for a in pending if a.activity_type.name == ARCHIVE_INCIDENT]

        await incident.execute_update("acknowledge", {"by": "alice"})
        # both writes (at open, at the acknowledgment) are retried, not dropped, while it is down
        await poll(
            retried_writes,
            lambda attempts: len(attempts) == 2 and min(attempts) >= 3,
            "archive writes retried",
        )

        await asyncio.to_thread(postgres.start)
        state = await archived(archive, paged.key, lambda s: s.status == "acknowledged")
        assert state.acknowledged_by == "alice"
        assert await workflow_task_failures(incident) == []  # the incident never stalled
