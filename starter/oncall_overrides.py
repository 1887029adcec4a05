"""Client side of overrides: set, remove and list them on a schedule's `oncall-<schedule>`.

The schedule workflow is started on first use (an existing one is reused), so an operator never
has to create it; the update's validator and handler answer yes or say why not.
"""

from __future__ import annotations

import asyncio

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy

from activities.on_call import schedule_overrides
from escalation.contract import TASK_QUEUE
from escalation.on_call_overrides import (
    REMOVE_OVERRIDE,
    SCHEDULE_WORKFLOW,
    SET_OVERRIDE,
    RemoveOverride,
    ScheduleStart,
    SetOverride,
    schedule_workflow_id,
)
from escalation.schedules import Override
from starter.errors import explain
from worker.connection import connect


async def schedule_handle(
    client: Client, schedule: str, task_queue: str = TASK_QUEUE
) -> WorkflowHandle:
    """The running `oncall-<schedule>`, started if there is none."""
    return await client.start_workflow(
        SCHEDULE_WORKFLOW,
        ScheduleStart(schedule=schedule),
        id=schedule_workflow_id(schedule),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary=f"On-call overrides of schedule {schedule}",
    )


async def set_override(
    client: Client, schedule: str, command: SetOverride, task_queue: str = TASK_QUEUE
) -> Override:
    """Set an override; refused (WorkflowUpdateFailedError) for someone not in the policy."""
    handle = await schedule_handle(client, schedule, task_queue)
    payload = command.model_dump(mode="json", by_alias=True)
    return await handle.execute_update(SET_OVERRIDE, payload, result_type=Override)


async def remove_override(
    client: Client, schedule: str, override_id: str, by: str, task_queue: str = TASK_QUEUE
) -> Override:
    """Take an override back; returns the one removed."""
    handle = await schedule_handle(client, schedule, task_queue)
    payload = RemoveOverride(id=override_id, by=by).model_dump(mode="json")
    return await handle.execute_update(REMOVE_OVERRIDE, payload, result_type=Override)


async def list_overrides(client: Client, schedules: list[str]) -> list[Override]:
    """Every override still held for these schedules."""
    found: list[Override] = []
    for schedule in schedules:
        found += await schedule_overrides(client, schedule)
    return found


OVERRIDES_READ_SECONDS = 5.0
"""`escalation oncall` works without a server; waiting for one is bounded by this."""


def read_overrides(schedules: list[str]) -> tuple[list[Override], str | None]:
    """The overrides the server holds for `schedules`, or none and why they could not be read."""

    async def read() -> list[Override]:
        async with asyncio.timeout(OVERRIDES_READ_SECONDS):
            return await list_overrides(await connect(), schedules)

    try:
        return asyncio.run(read()), None
    except TimeoutError:
        return [], f"overrides not read: no answer within {OVERRIDES_READ_SECONDS:.0f}s"
    except Exception as error:
        return [], f"overrides not read: {explain(error)}"
