"""The front door served for real (uvicorn on a free loopback port) against the dev server."""

from __future__ import annotations

import base64
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest_asyncio
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.action_links import action_links_from_environment
from api.server import HttpService
from api.settings import HttpSettings
from escalation.incident import IncidentState
from starter.incidents import IncidentNotFound, IncidentNotReady, incident_status
from tests.conftest import EXAMPLE_POLICY, IncidentWorker
from tests.fakes.providers import FakeProviders
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


ACTION_KEY = "test-action-key-" + "k" * 32
PUBLIC_URL = "https://escalation.example.test"
"""What the links in emails point at (a proxy in front of the service); tests follow their paths."""


WEBHOOK_KEY = ec.generate_private_key(ec.SECP256R1())
"""SendGrid's side of the Event Webhook key pair: it signs; the service holds the public half."""


def public_key_as_sendgrid_shows_it(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def sendgrid_signed(
    body: bytes, key: ec.EllipticCurvePrivateKey = WEBHOOK_KEY, timestamp: str | None = None
) -> dict[str, str]:
    """The headers SendGrid sends: ECDSA P-256/SHA-256 over the timestamp and the raw body."""
    timestamp = timestamp or str(int(time.time()))
    signature = key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


@dataclass
class PageDoorUnderTest(FrontDoorUnderTest):
    """A front door whose worker sends through the real SDKs to the fake providers, with action
    links signed by ACTION_KEY."""

    providers: FakeProviders | None = None


@pytest_asyncio.fixture
async def page_door(
    dev_server_env: WorkflowEnvironment, make_worker, tmp_path: Path, monkeypatch
) -> AsyncIterator[PageDoorUnderTest]:
    monkeypatch.setenv("ESCALATION_ACTION_KEY", ACTION_KEY)
    monkeypatch.setenv("ESCALATION_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("SENDGRID_WEBHOOK_PUBLIC_KEY", public_key_as_sendgrid_shows_it(WEBHOOK_KEY))
    policy_file = tmp_path / "policy.yaml"
    shutil.copy(EXAMPLE_POLICY, policy_file)
    client = dev_server_env.client
    with FakeProviders() as providers:
        links = action_links_from_environment()
        worker = make_worker(client, policy_file, providers.transports(), action_links=links)
        service = await serve(client, policy_file, worker.task_queue)
        async with worker.worker, httpx.AsyncClient(base_url=service.url, timeout=30) as http:
            try:
                yield PageDoorUnderTest(http, service, client, worker, policy_file, providers)
            finally:
                await service.stop()


from tests.api.twilio_support import twilio_door  # noqa: E402, F401 - the Twilio tests' fixture
