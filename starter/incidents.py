"""The client side of the operator contract: open (or join) an incident, act on it, find it.

Services call `open_incident` with the Temporal client they already have; the `escalation` CLI
is a thin layer over the same functions, so both speak to incidents the same way.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from pydantic import BaseModel, Field
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.service import RPCError, RPCStatusCode

from escalation.alerts import Alert
from escalation.classification import classify
from escalation.commands import VERBS
from escalation.contract import (
    INCIDENT_WORKFLOW,
    TASK_QUEUE,
    CommandResult,
    IncidentStart,
    incident_key,
    incident_workflow_id,
    successor_key,
)
from escalation.incident import OPEN_STATUSES, IncidentState
from escalation.policy import Policy
from escalation.review import ReviewState
from workflows.presentation import summary
from workflows.search_attributes import (
    INCIDENT_SERVICE,
    INCIDENT_SEVERITY,
    INCIDENT_STATUS,
    INCIDENT_TIER,
)


def new_incident_key() -> str:
    """A short random key for reports without a dedup key (client side: workflows may not draw
    random numbers)."""
    return uuid.uuid4().hex[:12]


MAX_SUCCESSORS = 20
"""How many `~N` keys to try before giving up: each stands for an incident awaiting review."""

TITLE_LOOKUPS = 10
"""Describe calls in flight at once while listing (visibility rows carry no summary line)."""

RESULT_LOOKUPS = 10
"""Result fetches in flight at once while gathering finished incidents for `stats`."""

QUERY_TIMEOUT = timedelta(seconds=10)
"""A query needs a worker; without one the server would hold the call for a long time."""

SIGNAL_LIMIT_WAIT = timedelta(seconds=60)
"""How long a report waits for a full run to continue as new before giving up (see below)."""

SIGNAL_LIMIT_MESSAGE = "limit for signal events"
"""In the server's refusal once a run has taken its 10,000 signals (`maximumSignalsPerExecution`)."""


class IncidentNotFound(LookupError):
    """No incident workflow has this id (in this namespace)."""


class IncidentNotReady(RuntimeError):
    """The incident exists but has not finished opening (its policy snapshot is in flight)."""


class VerbRefused(ValueError):
    """The incident refused the verb; the message is the validator's reason."""


class IncidentSaturated(RuntimeError):
    """The incident's run has taken the server's 10,000 signals and did not hand over in time."""


class OpenedIncident(BaseModel):
    """What `open_incident` did: which incident the alert reached, and whether it was new."""

    workflow_id: str
    key: str
    run_id: str | None
    attached: bool = Field(
        description="The incident was already open and took the alert as `new_alert` (in its "
        "current run, or the next one if this run was full). When two first reports race, the "
        "later one may say False although it joined (still one incident)"
    )
    summary: str = Field(description="The incident's line in the workflow list")
    alert_id: str


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


# -- opening --------------------------------------------------------------------------------------


async def open_incident(
    client: Client,
    alert: Alert,
    *,
    task_queue: str = TASK_QUEUE,
    policy: Policy | None = None,
) -> OpenedIncident:
    """Report an alert: join the open incident with its dedup key, or open a new one.

    Signal-with-start makes the report atomic: the workflow is started if it is not running,
    and `new_alert` is delivered either way (the workflow ignores it when it is the very alert
    it started with). A running incident that is already resolved (awaiting its review) does
    not take new alerts, so the report opens the successor incident `<key>~2`, `~3`, ...
    """
    alert = alert.model_copy(update={"alert_id": alert.alert_id or uuid.uuid4().hex})
    key = alert.dedup_key or new_incident_key()
    for _ in range(MAX_SUCCESSORS):
        running = await _running_incident(client, key)
        if running is None or running.is_open:
            break
        key = successor_key(key)
    else:
        raise RuntimeError(
            f"{MAX_SUCCESSORS} incidents with dedup key {alert.dedup_key!r} are awaiting review; "
            "close some reviews first"
        )
    line = summary(_severity_label(alert, policy), alert.service, alert.title)
    handle, handed_over = await _signal_with_start(
        client, IncidentStart(key=key, alert=alert), task_queue, line, _details(alert)
    )
    attached = running is not None and (running.run_id == handle.result_run_id or handed_over)
    return OpenedIncident(
        workflow_id=handle.id,
        key=key,
        run_id=handle.result_run_id,
        attached=attached,
        summary=(running.summary if running and attached else None) or line,
        alert_id=alert.alert_id or "",
    )


async def _signal_with_start(
    client: Client, start: IncidentStart, task_queue: str, line: str, details: str
) -> tuple[WorkflowHandle[Any, Any], bool]:
    """Signal-with-start, waiting out a run that is full of signals; True if it had to wait.

    The server refuses a run's signals past 10,000. The incident continues as new long before
    that (HISTORY_LIMIT), so a refusal means a flood outran a busy or stopped worker: the report
    waits for the handover, backing off, rather than being lost at the first try.
    """
    workflow_id = incident_workflow_id(start.key)
    deadline = asyncio.get_running_loop().time() + SIGNAL_LIMIT_WAIT.total_seconds()
    pause, waited = 0.1, False
    while True:
        try:
            handle = await client.start_workflow(
                INCIDENT_WORKFLOW,
                start,
                id=workflow_id,
                task_queue=task_queue,
                start_signal="new_alert",
                start_signal_args=[start.alert],
                static_summary=line,
                static_details=details,
            )
            return handle, waited
        except RPCError as error:
            if SIGNAL_LIMIT_MESSAGE not in error.message:
                raise
            if asyncio.get_running_loop().time() + pause > deadline:
                raise IncidentSaturated(
                    f"{workflow_id} has taken 10,000 signals in its current run and did not "
                    f"continue as new within {SIGNAL_LIMIT_WAIT.total_seconds():.0f}s: "
                    "is a worker running (`escalation worker`)?"
                ) from None
        await asyncio.sleep(pause)
        pause, waited = min(pause * 2, 5.0), True


class _RunningIncident(NamedTuple):
    run_id: str
    status: str | None
    summary: str | None

    @property
    def is_open(self) -> bool:
        """Takes new alerts: triggered, acknowledged, or still opening (no status yet)."""
        return self.status is None or self.status in OPEN_STATUSES


async def _running_incident(client: Client, key: str) -> _RunningIncident | None:
    """The running `incident-<key>`: run id, incident status, summary line; None when none runs.

    The status comes from the IncidentStatus search attribute the workflow publishes (it needs
    no worker); the `status` query is the fallback for a server without search attributes.
    An incident still opening has no status yet and counts as open.
    """
    handle = client.get_workflow_handle(incident_workflow_id(key))
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    if description.status != WorkflowExecutionStatus.RUNNING:
        return None
    status = description.typed_search_attributes.get(INCIDENT_STATUS)
    if status is None:
        try:
            state = await handle.query(
                "status", result_type=IncidentState, rpc_timeout=QUERY_TIMEOUT
            )
        except RPCError:
            state = None
        status = state.status if state else None
    return _RunningIncident(description.run_id, status, await description.static_summary())


def _severity_label(alert: Alert, policy: Policy | None) -> str:
    """The severity for the workflow list's summary line; the workflow itself classifies too."""
    if policy is not None:
        return classify(policy, alert).severity
    return alert.severity or "new"


def _details(alert: Alert) -> str:
    """Markdown for the UI's static details: the report as it came in."""
    lines = [f"**{alert.title}** ({alert.service})"]
    if alert.description:
        lines += ["", alert.description]
    facts = [
        ("Category", alert.category),
        ("Users affected", str(alert.users_affected) if alert.users_affected else None),
        ("Clients affected", ", ".join(alert.clients_affected) or None),
        ("Reported by", alert.source),
        ("Dedup key", alert.dedup_key),
    ]
    listed = [f"- {name}: {value}" for name, value in facts if value]
    return "\n".join([*lines, "", *listed] if listed else lines)


# -- acting on an incident ------------------------------------------------------------------------


def incident_handle(client: Client, incident: str) -> WorkflowHandle[Any, Any]:
    """The workflow for a key or an `incident-<key>` id, as operators type both."""
    return client.get_workflow_handle(incident_workflow_id(incident_key(incident)))


async def send_verb(
    client: Client, incident: str, verb: str, payload: dict[str, Any]
) -> CommandResult:
    """Run an operator verb as an update: accepted with a result, or refused with the reason."""
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r} (one of: {', '.join(VERBS)})")
    handle = incident_handle(client, incident)
    try:
        return await handle.execute_update(verb, payload, result_type=CommandResult)
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        reason = getattr(cause, "message", None) or str(cause or error)
        raise VerbRefused(reason) from None
    except RPCError as error:
        raise _not_found(error, handle.id) from None


async def incident_status(client: Client, incident: str) -> IncidentState:
    """The incident as its `status` query reports it."""
    handle = incident_handle(client, incident)
    try:
        state = await handle.query("status", result_type=IncidentState, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as error:
        raise _not_found(error, handle.id) from None
    if state is None:
        raise IncidentNotReady(f"{handle.id} is still opening (its policy snapshot is in flight)")
    return state


def _not_found(error: RPCError, workflow_id: str) -> Exception:
    """Turn the server's NOT_FOUND into a domain error; pass anything else through."""
    if error.status == RPCStatusCode.NOT_FOUND:
        return IncidentNotFound(f"no incident {workflow_id} in this namespace")
    return error


# -- finding incidents ----------------------------------------------------------------------------


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


# -- reports and statistics -------------------------------------------------------------------------


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
        raise _not_found(error, handle.id) from None
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
