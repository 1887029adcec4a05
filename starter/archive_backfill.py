"""`escalation archive backfill`: copy into the archive what Temporal still holds.

Closed incidents and reviews from their results (no worker needed), running ones from their
`status` query. The same upserts as the workflows' own writes, so running it twice, or while
the workers archive, changes nothing that is newer in the archive.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus

from activities.archive.writes import record_incident, record_review
from escalation.archive import log_version
from escalation.contract import INCIDENT_WORKFLOW, REVIEW_WORKFLOW
from escalation.incident import IncidentState
from escalation.review import ReviewState
from starter.incidents import QUERY_TIMEOUT
from starter.listing import quote

LOOKUPS = 8
"""Results and queries in flight at once."""


class Backfilled(BaseModel):
    """What a backfill did."""

    incidents: int = 0
    reviews: int = 0
    unchanged: int = 0
    """Already archived at this version or newer."""
    unreadable: list[str] = []
    """Workflow ids neither completed nor answering a query (failed or terminated with no worker)."""


async def backfill(client: Client, engine: Engine) -> Backfilled:
    """Every incident and review run Temporal lists, latest run of each, into the archive."""
    done = Backfilled()
    lookups = asyncio.Semaphore(LOOKUPS)
    for workflow_type, model in (
        (INCIDENT_WORKFLOW, IncidentState),
        (REVIEW_WORKFLOW, ReviewState),
    ):
        query = f"WorkflowType = {quote(workflow_type)}"
        executions = [
            e
            async for e in client.list_workflows(query)
            if e.status != WorkflowExecutionStatus.CONTINUED_AS_NEW
        ]
        records = await asyncio.gather(*(_read(client, e, model, lookups) for e in executions))
        for execution, record in zip(executions, records, strict=True):
            if record is None:
                done.unreadable.append(execution.id)
            elif not await asyncio.to_thread(_write, engine, record):
                done.unchanged += 1
            elif isinstance(record, IncidentState):
                done.incidents += 1
            else:
                done.reviews += 1
    return done


async def _read(
    client: Client, execution: WorkflowExecution, model: type[Any], lookups: asyncio.Semaphore
) -> IncidentState | ReviewState | None:
    handle = client.get_workflow_handle(execution.id, run_id=execution.run_id, result_type=model)
    async with lookups:
        try:
            if execution.status == WorkflowExecutionStatus.COMPLETED:
                return await handle.result(follow_runs=False)
            return await handle.query("status", result_type=model, rpc_timeout=QUERY_TIMEOUT)
        except Exception:
            return None


def _write(engine: Engine, record: IncidentState | ReviewState) -> bool:
    if isinstance(record, IncidentState):
        return record_incident(engine, record, log_version(record))
    return record_review(engine, record, log_version(record))
