"""Incidents as they ended, for the final report and the statistics: results need no worker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from escalation.contract import incident_key, incident_workflow_id
from escalation.incident import IncidentState
from escalation.review import ReviewState
from starter.incidents import IncidentNotFound, incident_status, not_found
from starter.listing import incidents_query, quote
from starter.opening import QUERY_TIMEOUT

RESULT_LOOKUPS = 10
"""Result fetches in flight at once while gathering finished incidents for `stats`."""


class IncidentRecord(BaseModel):
    """What the final report is built from: the incident's state and, if one ran, its review."""

    state: IncidentState
    review: ReviewState | None = None


async def incident_record(client: Client, incident: str) -> IncidentRecord:
    """The incident as it ended (or stands), with its review when `review_workflow_id` is set."""
    state = await incident_final_state(client, incident)
    review = (
        await review_state(client, state.review_workflow_id) if state.review_workflow_id else None
    )
    return IncidentRecord(state=state, review=review)


async def incident_final_state(client: Client, incident: str) -> IncidentState:
    """A completed incident's result (no worker needed), else its `status` query.

    The workflow returns its final IncidentState, so a closed incident can be reported on with
    no worker running; a running, failed or terminated one is asked (which needs a worker).
    """
    workflow_id = incident_workflow_id(incident_key(incident))
    handle = client.get_workflow_handle(workflow_id, result_type=IncidentState)
    if await _completed(handle):
        return await handle.result()
    return await incident_status(client, incident)


async def review_state(client: Client, workflow_id: str) -> ReviewState | None:
    """The review's result once completed, else its `status` query; None if it never started."""
    handle = client.get_workflow_handle(workflow_id, result_type=ReviewState)
    try:
        if await _completed(handle):
            return await handle.result()
    except IncidentNotFound:
        return None
    return await handle.query("status", result_type=ReviewState, rpc_timeout=QUERY_TIMEOUT)


async def _completed(handle: WorkflowHandle[Any, Any]) -> bool:
    try:
        description = await handle.describe()
    except RPCError as error:
        raise not_found(error, handle.id) from None
    return description.status == WorkflowExecutionStatus.COMPLETED


async def completed_incidents(
    client: Client,
    *,
    closed_since: datetime | None = None,
    service: str | None = None,
    limit: int = 1000,
) -> list[IncidentState]:
    """Final states of incidents that completed (closed) since a time, newest first, bounded."""
    query = completed_incidents_query(closed_since=closed_since, service=service)
    executions = [execution async for execution in client.list_workflows(query, limit=limit)]
    lookups = asyncio.Semaphore(RESULT_LOOKUPS)

    async def result(workflow_id: str, run_id: str) -> IncidentState:
        async with lookups:
            handle = client.get_workflow_handle(
                workflow_id, run_id=run_id, result_type=IncidentState
            )
            return await handle.result(follow_runs=False)

    return list(await asyncio.gather(*(result(e.id, e.run_id) for e in executions)))


def completed_incidents_query(
    *, closed_since: datetime | None = None, service: str | None = None
) -> str:
    """Completed IncidentWorkflow runs (continued-as-new runs are not Completed, so no doubles)."""
    clauses = [incidents_query(service=service), f"ExecutionStatus = {quote('Completed')}"]
    if closed_since is not None:
        stamp = closed_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        clauses.append(f"CloseTime >= {quote(stamp)}")
    return " AND ".join(clauses)
