"""A worker that rebuilds an incident from its history does not count it again.

The SDK skips workflow metrics during replay; this checks it for our counters. The first worker
opens the incident and stops; the second, with an empty cache, replays the whole history before
it can take the acknowledgment (a new worker starts with an empty workflow cache). Metrics go
to an SDK metric buffer, read after each worker.
"""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.runtime import MetricBuffer, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment

from escalation.alerts import Alert
from escalation.contract import CommandResult, IncidentStart, incident_workflow_id
from tests.conftest import EXAMPLE_POLICY
from tests.workflows.helpers import wait_for
from wiring.temporal import DATA_CONVERTER
from worker.runner import build_worker
from worker.settings import worker_settings
from workflows.incident import IncidentWorkflow

OURS = ("escalation_incidents_opened", "escalation_incidents_acknowledged")


def totals(buffer: MetricBuffer) -> Counter[tuple[str, str]]:
    """Our counters' sums since the last call, by (name, purpose or "")."""
    counted: Counter[tuple[str, str]] = Counter()
    for update in buffer.retrieve_updates():
        name = update.metric.name
        if name in OURS or name == "escalation_notifications":
            counted[name, str(update.attributes.get("purpose", ""))] += int(update.value)
    return counted


@pytest.mark.asyncio
async def test_a_replaying_worker_does_not_count_the_incident_again(
    dev_server_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCALATION_OUTBOX", str(tmp_path / "outbox.jsonl"))
    buffer = MetricBuffer(100_000)
    client = await Client.connect(
        dev_server_env.client.service_client.config.target_host,
        namespace=dev_server_env.client.namespace,
        runtime=Runtime(telemetry=TelemetryConfig(metrics=buffer)),
        data_converter=DATA_CONVERTER,
    )
    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    key = f"m-{uuid.uuid4().hex[:10]}"
    handle = await client.start_workflow(
        IncidentWorkflow.run,
        IncidentStart(key=key, alert=Alert(title="checkout failing", service="payments")),
        id=incident_workflow_id(key),
        task_queue=queue,
    )
    try:
        async with build_worker(client, worker_settings(EXAMPLE_POLICY, queue)):
            opened = await wait_for(
                handle,
                lambda s: s is not None and any(n.purpose == "page" for n in s.notifications),
            )
        first = totals(buffer)
        assert first["escalation_incidents_opened", ""] == 1

        async with build_worker(client, worker_settings(EXAMPLE_POLICY, queue)):
            result = await handle.execute_update(
                "acknowledge", {"by": "alice"}, result_type=CommandResult
            )
            assert result.status == "acknowledged"
            final = await wait_for(handle, lambda s: s.status == "acknowledged")
        second = totals(buffer)
    finally:
        await handle.terminate("test finished")

    assert second["escalation_incidents_opened", ""] == 0
    assert second["escalation_incidents_acknowledged", ""] == 1
    pages = [n for n in final.notifications if n.purpose == "page"]
    counted_pages = (
        first["escalation_notifications", "page"] + second["escalation_notifications", "page"]
    )
    assert (
        counted_pages == len(pages) >= len([n for n in opened.notifications if n.purpose == "page"])
    )
