"""The starter helpers against the time-skipping server: dedup, successors, verbs as updates."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from escalation.alerts import Alert
from escalation.contract import CommandResult
from escalation.incident import IncidentState
from escalation.policy import Policy
from starter.incidents import (
    IncidentNotFound,
    IncidentNotReady,
    VerbRefused,
    incident_status,
    send_verb,
)
from starter.listing import incidents_query, quote
from starter.opening import open_incident
from tests.conftest import IncidentWorker
from tests.polling import poll

DEADLINE_SECONDS = 30.0


@pytest_asyncio.fixture
async def incidents(time_skipping_env: WorkflowEnvironment) -> AsyncIterator[list[str]]:
    """Keys opened by the test; their workflows are terminated afterwards, because a workflow
    left running without a worker would stall the shared time-skipping server's clock."""
    keys: list[str] = []
    yield keys
    client = time_skipping_env.client
    for key in keys:
        for workflow_id in (f"incident-{key}", f"incident-{key}~2"):
            with contextlib.suppress(RPCError):
                await client.get_workflow_handle(workflow_id).terminate("test finished")


def new_key(incidents: list[str], prefix: str) -> str:
    """A key no other test uses, its incidents terminated when the test ends."""
    key = f"{prefix}-{uuid.uuid4().hex[:8]}"
    incidents.append(key)
    return key


def checkout_alert(key: str, **fields: object) -> Alert:
    """A critical report under the example policy: two clients affected."""
    base: dict[str, object] = {
        "title": "checkout failing",
        "service": "payments",
        "clients_affected": ["acme", "globex"],
        "dedup_key": key,
        "source": "prometheus",
    }
    return Alert.model_validate(base | fields)


async def checkout_opened(client: Client, worker: IncidentWorker, key: str) -> str:
    """The checkout incident opened under `key`, on the worker's queue; the key."""
    await open_incident(client, checkout_alert(key), task_queue=worker.task_queue)
    return key


async def wait_for_state(
    client: Client, incident: str, condition: Callable[[IncidentState], bool]
) -> IncidentState:
    """Poll the status query until the condition holds, or fail at the deadline."""
    return await poll(
        lambda: incident_status(client, incident),
        condition,
        f"{incident} state",
        retry_on=(RPCError, IncidentNotReady),
    )


async def test_same_dedup_key_attaches_to_the_open_incident(
    time_skipping_env: WorkflowEnvironment,
    worker: IncidentWorker,
    example_policy: Policy,
    incidents: list[str],
) -> None:
    client = time_skipping_env.client
    key = new_key(incidents, "dedup")
    first = await open_incident(
        client, checkout_alert(key), task_queue=worker.task_queue, policy=example_policy
    )
    assert first.attached is False
    assert first.workflow_id == f"incident-{key}"
    assert first.summary == "[critical] payments: checkout failing"
    await wait_for_state(client, key, lambda s: s.alerts_received == 1)

    second = await open_incident(
        client, checkout_alert(key, title="checkout 5xx"), task_queue=worker.task_queue
    )
    assert second.attached is True
    assert second.workflow_id == first.workflow_id
    assert second.run_id == first.run_id

    state = await wait_for_state(client, key, lambda s: s.alerts_received == 2)
    assert state.severity == "critical"
    assert [e.kind for e in state.timeline].count("opened") == 1
    description = await client.get_workflow_handle(first.workflow_id).describe()
    assert description.status == WorkflowExecutionStatus.RUNNING


async def test_the_start_alert_is_counted_once(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker, incidents: list[str]
) -> None:
    client = time_skipping_env.client
    opened = await open_incident(
        client, Alert(title="disk full", service="db"), task_queue=worker.task_queue
    )
    incidents.append(opened.key)
    assert opened.summary == "[new] db: disk full"
    state = await wait_for_state(client, opened.workflow_id, lambda s: bool(s.timeline))
    assert state.alerts_received == 1
    assert state.alert_ids == [opened.alert_id]
    assert state.key == opened.key


async def test_resolved_incident_awaiting_review_sends_the_key_to_a_successor(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker, incidents: list[str]
) -> None:
    client = time_skipping_env.client
    key = await checkout_opened(client, worker, new_key(incidents, "succ"))
    await wait_for_state(client, key, lambda s: s.status == "triggered")
    resolved = await send_verb(
        client,
        key,
        "resolve",
        {"by": "alice", "cause": "expired cert", "resolution": "rotated it"},
    )
    assert resolved.status == "resolved"
    handle = client.get_workflow_handle(f"incident-{key}")
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING

    successor = await open_incident(client, checkout_alert(key), task_queue=worker.task_queue)
    assert successor.key == f"{key}~2"
    assert successor.workflow_id == f"incident-{key}~2"
    assert successor.attached is False
    state = await wait_for_state(client, successor.key, lambda s: bool(s.timeline))
    assert state.status == "triggered"

    again = await open_incident(client, checkout_alert(key), task_queue=worker.task_queue)
    assert again.key == f"{key}~2"
    assert again.attached is True
    original = await incident_status(client, key)
    assert original.status == "resolved"
    assert original.alerts_received == 1


async def test_send_verb_returns_the_result_and_a_refusal_carries_the_reason(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker, incidents: list[str]
) -> None:
    client = time_skipping_env.client
    key = await checkout_opened(client, worker, new_key(incidents, "verb"))
    result = await send_verb(client, f"incident-{key}", "acknowledge", {"by": "alice"})
    assert isinstance(result, CommandResult)
    assert result.verb == "acknowledge"
    assert result.status == "acknowledged"
    assert result.incident_id == f"incident-{key}"

    with pytest.raises(VerbRefused) as refused:
        await send_verb(client, key, "acknowledge", {"by": "bob"})
    assert str(refused.value) == "acknowledge: already acknowledged by alice"

    with pytest.raises(VerbRefused) as malformed:
        await send_verb(client, key, "escalate", {"by": "bob"})
    assert "reason: Field required" in str(malformed.value)


async def test_unknown_incident_is_reported_as_not_found(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    with pytest.raises(IncidentNotFound):
        await incident_status(time_skipping_env.client, "no-such-incident")
    with pytest.raises(IncidentNotFound):
        await send_verb(
            time_skipping_env.client, "no-such-incident", "add_note", {"by": "a", "text": "x"}
        )


def test_query_values_are_quoted_and_escaped() -> None:
    assert incidents_query() == 'WorkflowType = "IncidentWorkflow"'
    assert incidents_query(status="triggered", service='pay"ments') == (
        'WorkflowType = "IncidentWorkflow" AND IncidentStatus = "triggered" '
        'AND IncidentService = "pay\\"ments"'
    )
    assert quote("a\\b") == '"a\\\\b"'
    with pytest.raises(ValueError):
        quote("x\n OR 1=1")
