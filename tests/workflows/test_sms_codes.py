"""The per-number registry on the dev server (update-with-start): concurrent pages get distinct
codes, a retry gets the same one, the book survives continue-as-new, bad input is refused."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from activities.sms_reply_codes import read_book, reserve_code
from escalation.sms_codes import (
    ALLOCATE_UPDATE,
    REGISTRY_WORKFLOW,
    RELEASE_SIGNAL,
    AllocateCode,
    RegistryStart,
    registry_workflow_id,
)
from tests.polling import poll

PHONE = "+15555550101"


async def test_concurrent_pages_get_distinct_codes(
    dev_server_env: WorkflowEnvironment, make_worker
) -> None:
    client = dev_server_env.client
    worker = make_worker(client)
    incidents = [f"incident-concurrent-{n}" for n in range(8)]
    async with worker.worker:
        worker.track(registry_workflow_id(PHONE, worker.task_queue))
        # Allocation frees the codes of incidents that ended or do not exist: the incidents here
        # must be running workflows. Any long-running workflow with their ids stands in.
        for incident in incidents:
            await client.start_workflow(
                REGISTRY_WORKFLOW,
                RegistryStart(phone=incident),
                id=incident,
                task_queue=worker.task_queue,
            )
            worker.track(incident)
        codes = await asyncio.gather(
            *(reserve_code(client, PHONE, i, worker.task_queue) for i in incidents)
        )
        again = await reserve_code(client, PHONE, incidents[3], worker.task_queue)

    assert sorted(codes) == list(range(1, 9))
    assert again == codes[3]


async def test_the_book_survives_continue_as_new(
    dev_server_env: WorkflowEnvironment, make_worker
) -> None:
    client = dev_server_env.client
    worker = make_worker(client)
    workflow_id = registry_workflow_id(PHONE, worker.task_queue)
    async with worker.worker:
        handle = await client.start_workflow(
            REGISTRY_WORKFLOW,
            RegistryStart(phone=PHONE, history_limit=12),
            id=workflow_id,
            task_queue=worker.task_queue,
        )
        worker.track(workflow_id)
        for n in range(6):
            await handle.execute_update(ALLOCATE_UPDATE, AllocateCode(incident_id=f"incident-{n}"))
        described = await client.get_workflow_handle(workflow_id).describe()
        book = await read_book(client, PHONE, worker.task_queue)

    assert described.run_id != handle.first_execution_run_id
    assert [(a.code, a.incident_id) for a in book.assignments] == [
        (n + 1, f"incident-{n}") for n in range(6)
    ]


async def test_bad_input_is_refused_or_recorded(
    dev_server_env: WorkflowEnvironment, make_worker
) -> None:
    client = dev_server_env.client
    worker = make_worker(client)
    async with worker.worker:
        assert await reserve_code(client, PHONE, "incident-kept", worker.task_queue) == 1
        handle = worker.track(registry_workflow_id(PHONE, worker.task_queue))
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(ALLOCATE_UPDATE, AllocateCode(incident_id="review-x"))
        await handle.signal(RELEASE_SIGNAL, {"incident_ids": "not a list"})
        rejected = await poll(lambda: handle.query("rejected"), bool, "release rejected")
        await handle.signal(RELEASE_SIGNAL, {"incident_ids": ["incident-kept"]})
        book = await poll(
            lambda: read_book(client, PHONE, worker.task_queue),
            lambda b: not b.assignments,
            "code released",
        )

    assert rejected[0].startswith("release:")
    assert book.assignments == []
