"""Helpers for driving incident workflows in tests: start, wait on a condition, read history."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from escalation.alerts import Alert
from escalation.contract import IncidentStart, incident_workflow_id
from escalation.incident import IncidentState
from escalation.logbook import TimelineEntry
from tests.conftest import EXAMPLE_POLICY, IncidentWorker, worker_on
from tests.fakes.providers import SENDGRID_PATH, FakeProviders
from tests.polling import poll
from workflows.incident import IncidentWorkflow

DEADLINE_SECONDS = 30.0
SMS_ONLY_POLICY = EXAMPLE_POLICY.read_text().replace(
    "channels: [sms, email], review: required, review_within: 5d",
    "channels: [sms], review: required",
)
"""The example policy's text with critical incidents paged by SMS only."""


async def start_incident(
    worker: IncidentWorker,
    key: str | None = None,
    *,
    start_signal: tuple[str, object] | None = None,
    **alert_fields: object,
) -> WorkflowHandle:
    """Start an incident directly (no dedup), with a unique key unless one is given; waits until
    it has opened. A `start_signal` (name, payload) arrives with the start, before the incident
    has its policy snapshot."""
    fields: dict[str, object] = {"title": "checkout failing", "service": "payments"} | alert_fields
    key = key or f"t-{uuid.uuid4().hex[:10]}"
    signal: dict[str, Any] = {}
    if start_signal is not None:
        signal = {"start_signal": start_signal[0], "start_signal_args": [start_signal[1]]}
    handle = await worker.client.start_workflow(
        IncidentWorkflow.run,
        IncidentStart(key=key, alert=Alert.model_validate(fields)),
        id=incident_workflow_id(key),
        task_queue=worker.task_queue,
        **signal,
    )
    worker.track(handle.id)
    await wait_for(handle, lambda state: state is not None and bool(state.timeline))
    return handle


@contextlib.asynccontextmanager
async def incident_started(
    env: WorkflowEnvironment, make_worker: Callable[..., IncidentWorker], **alert_fields: object
) -> AsyncIterator[WorkflowHandle]:
    """One incident, on a worker that polls the environment's client for the block."""
    async with worker_on(env, make_worker) as worker:
        yield await start_incident(worker, **alert_fields)


def policy_variant(directory: Path, text: str, expected: str) -> Path:
    """A policy file with `text`, after checking the edit that made it took (`expected` is in it)."""
    assert expected in text, f"the policy edit did not apply: {expected!r} missing"
    path = directory / "policy.yaml"
    path.write_text(text)
    return path


async def status(handle: WorkflowHandle) -> IncidentState:
    return await handle.query("status", result_type=IncidentState)


async def wait_for(
    handle: WorkflowHandle, condition: Callable[[IncidentState], bool]
) -> IncidentState:
    """Poll the status query until the condition holds, failing after a deadline."""
    return await poll(lambda: status_or_none(handle), condition, f"{handle.id} status")


async def status_or_none(handle: WorkflowHandle) -> IncidentState | None:
    """The status, or None while the incident has not opened yet."""
    return await handle.query("status", result_type=IncidentState | None)


def entries(state: IncidentState, kind: str) -> list[TimelineEntry]:
    return [entry for entry in state.timeline if entry.kind == kind]


def minutes_after_open(state: IncidentState, at: datetime | None) -> int:
    """Whole minutes from opening; fails if `at` is not within a second after the minute.

    A durable timer fires when the server processes it, a few milliseconds after its due time;
    never before it.
    """
    assert at is not None
    seconds = (at - state.opened_at).total_seconds()
    minute = int(seconds // 60)
    assert 0 <= seconds - minute * 60 < 1, f"{seconds}s after opening is not on a minute"
    return minute


def paged_recipients(state: IncidentState, purpose: str = "page") -> list[str]:
    """Recipients of delivered messages of one purpose, once per person, in order."""
    names: list[str] = []
    for record in state.notifications:
        if (
            record.purpose == purpose
            and record.status in {"sent", "outbox"}
            and record.recipient not in names
        ):
            names.append(record.recipient)
    return names


def mail_recipient(mail: dict) -> str:
    """The first `to` address of a SendGrid mail/send body."""
    return mail["personalizations"][0]["to"][0]["email"]


def mails_to(providers: FakeProviders, address: str) -> list[dict]:
    """The SendGrid request bodies addressed to `address`, in the order sent."""
    return [
        r.json for r in providers.requests_to(SENDGRID_PATH) if mail_recipient(r.json) == address
    ]


async def ui_signals(handle: WorkflowHandle) -> dict[str, str]:
    """The signals the Temporal UI offers in its Send a Signal dropdown, with their descriptions."""
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return {d.name: d.description for d in metadata.definition.signal_definitions}


async def workflow_task_failures(handle: WorkflowHandle) -> list[str]:
    """Every WorkflowTaskFailed event: a wedged workflow shows up here.

    Except UNHANDLED_COMMAND: the server refusing a completion because a signal or an activity
    result arrived meanwhile, so the worker runs one more task. That is Temporal's ordinary way of
    not losing the event, not a failure of the workflow."""
    failures = []
    async for event in handle.fetch_history_events():
        attributes = event.workflow_task_failed_event_attributes
        if (
            event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
            and attributes.cause
            != WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND
        ):
            failures.append(str(attributes.failure.message))
    return failures
