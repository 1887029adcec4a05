"""Finding incidents: the visibility query over the search attributes the workflows publish."""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.service import RPCError

from escalation.contract import INCIDENT_WORKFLOW, incident_key
from workflows.search_attributes import (
    INCIDENT_SERVICE,
    INCIDENT_SEVERITY,
    INCIDENT_STATUS,
    INCIDENT_TIER,
)

TITLE_LOOKUPS = 10
"""Describe calls in flight at once while listing (visibility rows carry no summary line)."""


class IncidentListing(BaseModel):
    """One row of `escalation list`: what visibility knows about an incident."""

    workflow_id: str
    key: str
    summary: str | None
    status: str | None
    severity: str | None
    service: str | None
    tier: int | None
    started_at: datetime
    closed_at: datetime | None
    execution_status: str | None


async def list_incidents(
    client: Client,
    status: str | None = None,
    severity: str | None = None,
    service: str | None = None,
    limit: int = 50,
) -> list[IncidentListing]:
    """Incidents newest first, filtered by the search attributes the workflows publish."""
    query = incidents_query(status=status, severity=severity, service=service)
    executions = [execution async for execution in client.list_workflows(query, limit=limit)]
    lookups = asyncio.Semaphore(TITLE_LOOKUPS)
    titles = await asyncio.gather(*(_title(client, lookups, e.id, e.run_id) for e in executions))
    listings = []
    for execution, title in zip(executions, titles, strict=True):
        attributes = execution.typed_search_attributes
        listings.append(
            IncidentListing(
                workflow_id=execution.id,
                key=incident_key(execution.id),
                summary=title,
                status=attributes.get(INCIDENT_STATUS),
                severity=attributes.get(INCIDENT_SEVERITY),
                service=attributes.get(INCIDENT_SERVICE),
                tier=attributes.get(INCIDENT_TIER),
                started_at=execution.start_time,
                closed_at=execution.close_time,
                execution_status=execution.status.name if execution.status else None,
            )
        )
    return listings


def incidents_query(
    status: str | None = None, severity: str | None = None, service: str | None = None
) -> str:
    """The visibility query; every value is quoted, so no filter can change its meaning."""
    clauses = [f"WorkflowType = {quote(INCIDENT_WORKFLOW)}"]
    for attribute, value in (
        (INCIDENT_STATUS, status),
        (INCIDENT_SEVERITY, severity),
        (INCIDENT_SERVICE, service),
    ):
        if value is not None:
            clauses.append(f"{attribute.name} = {quote(value)}")
    return " AND ".join(clauses)


def quote(value: str) -> str:
    """A visibility-query string literal: backslashes and quotes escaped, no control characters."""
    if any(ord(character) < 32 for character in value):
        raise ValueError(f"control characters are not allowed in a filter value: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def _title(
    client: Client, lookups: asyncio.Semaphore, workflow_id: str, run_id: str
) -> str | None:
    """The summary line given at start; visibility does not carry it, describe does."""
    async with lookups:
        try:
            description = await client.get_workflow_handle(workflow_id, run_id=run_id).describe()
        except RPCError:
            return None
        return await description.static_summary()
