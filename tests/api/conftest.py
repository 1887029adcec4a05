"""The front door served for real (uvicorn on a free loopback port) against the dev server."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest_asyncio
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from api.server import HttpService
from api.settings import HttpSettings
from escalation.incident import IncidentState
from starter.incidents import IncidentNotFound, IncidentNotReady, incident_status
from tests.conftest import EXAMPLE_POLICY, IncidentWorker
from tests.polling import poll

KEYS = {
    "prometheus": "demo-prometheus-key",
    "grafana": "demo-grafana-key",
    "pagerduty": "demo-pagerduty-key",
    "generic": "demo-generic-key",
}
"""The example policy's demo keys (their hashes are in examples/policy.yaml)."""


@dataclass
class FrontDoorUnderTest:
    """A served front door, an HTTP client to it, and the worker behind it."""

    http: httpx.AsyncClient
    service: HttpService
    client: Client
    worker: IncidentWorker
    policy_file: Path

    def bearer(self, integration: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {KEYS[integration]}"}

    async def state(
        self, key: str, condition: Callable[[IncidentState], bool], what: str
    ) -> IncidentState:
        """The incident once the condition holds (its worker runs in the test)."""
        return await poll(
            lambda: incident_status(self.client, key),
            condition,
            what,
            retry_on=(RPCError, IncidentNotReady, IncidentNotFound),
            every=0.1,
        )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def serve(client: Client, policy_file: Path, task_queue: str) -> HttpService:
    service = HttpService(
        client,
        HttpSettings(host="127.0.0.1", port=0, public_url="http://127.0.0.1:0"),
        policy_file,
        task_queue=task_queue,
        embedded=True,
    )
    await service.start()
    return service


@pytest_asyncio.fixture
async def front_door(
    dev_server_env: WorkflowEnvironment, make_worker, tmp_path: Path
) -> AsyncIterator[FrontDoorUnderTest]:
    policy_file = tmp_path / "policy.yaml"
    shutil.copy(EXAMPLE_POLICY, policy_file)
    client = dev_server_env.client
    worker = make_worker(client, policy_file)
    service = await serve(client, policy_file, worker.task_queue)
    async with worker.worker, httpx.AsyncClient(base_url=service.url, timeout=30) as http:
        try:
            yield FrontDoorUnderTest(http, service, client, worker, policy_file)
        finally:
            await service.stop()


from tests.api.twilio_support import twilio_door  # noqa: E402, F401 - the Twilio tests' fixture
