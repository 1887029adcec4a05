"""Opening an incident from the client side: join the open one or start it, with successors.

Services call `open_incident` with the Temporal client they already have; the `escalation` CLI
and the HTTP front door call the same function, so every report reaches incidents the same way.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any, NamedTuple

from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from escalation.alerts import Alert
from escalation.classification import classify
from escalation.contract import (
    INCIDENT_WORKFLOW,
    TASK_QUEUE,
    IncidentStart,
    incident_workflow_id,
    successor_key,
)
from escalation.incident import OPEN_STATUSES, IncidentState
from escalation.policy import Policy
from workflows.presentation import summary
from workflows.search_attributes import INCIDENT_STATUS


def new_incident_key() -> str:
    """A short random key for reports without a dedup key (client side: workflows may not draw
    random numbers)."""
    return uuid.uuid4().hex[:12]


MAX_SUCCESSORS = 20
"""How many `~N` keys to try before giving up: each stands for an incident awaiting review."""

QUERY_TIMEOUT = timedelta(seconds=10)
"""A query needs a worker; without one the server would hold the call for a long time."""

SIGNAL_LIMIT_WAIT = timedelta(seconds=60)
"""How long a report waits for a full run to continue as new before giving up (see below)."""

SIGNAL_LIMIT_MESSAGE = "limit for signal events"
"""In the server's refusal once a run has taken its 10,000 signals (`maximumSignalsPerExecution`)."""


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


async def open_incident(
    client: Client,
    alert: Alert,
    *,
    task_queue: str = TASK_QUEUE,
    policy: Policy | None = None,
) -> OpenedIncident:
    """Report an alert: join the open incident with its dedup key, or open a new one.

    The common case, a key with no running incident, is one call: start the workflow, refused
    by the server when the key already runs. Only then is the running incident looked at: an
    open one takes the alert by signal-with-start (atomic: started again if it ended meanwhile,
    the alert delivered either way; the workflow ignores the very alert it started with). One
    that is already resolved (awaiting its review) does not take new alerts, so the report goes
    to the successor incident `<key>~2`, `~3`, ...
    """
    alert = alert.model_copy(update={"alert_id": alert.alert_id or uuid.uuid4().hex})
    key = alert.dedup_key or new_incident_key()
    line = summary(_severity_label(alert, policy), alert.service, alert.title)
    start = IncidentStart(key=key, alert=alert)
    for _ in range(MAX_SUCCESSORS):
        start = start.model_copy(update={"key": key})
        opened = await _start_new(client, start, task_queue, line)
        if opened is not None:
            return opened
        running = await _running_incident(client, key)
        if running is None:
            continue  # it ended since the refusal: start it again under the same key
        if running.is_open:
            return await _join(client, start, task_queue, line, running)
        key = successor_key(key)
    raise RuntimeError(
        f"{MAX_SUCCESSORS} incidents with dedup key {alert.dedup_key!r} are awaiting review; "
        "close some reviews first"
    )


async def _start_new(
    client: Client, start: IncidentStart, task_queue: str, line: str
) -> OpenedIncident | None:
    """Start the incident if its key has no running workflow; None when one runs."""
    try:
        handle = await client.start_workflow(
            INCIDENT_WORKFLOW,
            start,
            id=incident_workflow_id(start.key),
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            static_summary=line,
            static_details=_details(start.alert),
        )
    except WorkflowAlreadyStartedError:
        return None
    return _opened(handle, start, attached=False, line=line)


async def _join(
    client: Client, start: IncidentStart, task_queue: str, line: str, running: _RunningIncident
) -> OpenedIncident:
    """The alert to the open incident (or to a new run, should it have ended meanwhile)."""
    handle, handed_over = await _signal_with_start(
        client, start, task_queue, line, _details(start.alert)
    )
    attached = running.run_id == handle.result_run_id or handed_over
    return _opened(
        handle, start, attached=attached, line=(running.summary or line) if attached else line
    )


def _opened(
    handle: WorkflowHandle[Any, Any], start: IncidentStart, *, attached: bool, line: str
) -> OpenedIncident:
    return OpenedIncident(
        workflow_id=handle.id,
        key=start.key,
        run_id=handle.result_run_id,
        attached=attached,
        summary=line,
        alert_id=start.alert.alert_id or "",
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
