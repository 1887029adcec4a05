"""One time-skipping server, one worker and one long-lived workflow per fuzz test function.

Time does not skip unless a test waits on a workflow result, so during a fuzz run (seconds of
wall time) no SLA timer fires and the target workflow holds still: only the fuzzed input moves it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest_asyncio
from temporalio.client import WorkflowHandle

from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.policy_loader import load_policy
from tests.conftest import EXAMPLE_POLICY, IncidentWorker
from tests.fuzz.support import incident_status, poll, review_status
from tests.workflows.helpers import start_incident, wait_for

STEP_SECONDS = 30
"""An update that hangs fails the fixture instead of the whole run."""

RESOLVE = {
    "by": "alice",
    "cause": "expired cert",
    "resolution": "rotated it",
    "preventive_measures": ["alert before expiry"],
}


def pages_settled(state: IncidentState) -> bool:
    """Every channel of the critical page (sms and email) has an outcome on record."""
    return len({n.channel for n in state.notifications if n.purpose == "page"}) >= 2


@dataclass
class Target:
    """The workflows under fire and the policy their worker runs."""

    worker: IncidentWorker
    policy: Policy
    incident: WorkflowHandle
    review: WorkflowHandle | None = None


@pytest_asyncio.fixture
async def live_incident(worker: IncidentWorker) -> AsyncIterator[Target]:
    """A triggered medium incident that affects ACME (so client messages are in play)."""
    incident = await start_incident(worker, clients_affected=["acme"])
    yield Target(worker=worker, policy=load_policy(EXAMPLE_POLICY), incident=incident)


@pytest_asyncio.fixture
async def live_review(worker: IncidentWorker) -> AsyncIterator[Target]:
    """A critical incident, acknowledged and resolved, and its open post-incident review."""
    incident = await start_incident(worker, severity="critical")
    # Acknowledge once the opening pages are out: a page still in flight is called off by
    # the acknowledgment, a race that belongs to the delivery tests, not to this fixture.
    with contextlib.suppress(AssertionError):
        await poll(
            lambda: incident_status(incident),
            pages_settled,
            "opening pages delivered",
            seconds=5,
        )
    async with asyncio.timeout(STEP_SECONDS):
        await incident.execute_update("acknowledge", {"by": "alice"})
    async with asyncio.timeout(STEP_SECONDS):
        await incident.execute_update("resolve", RESOLVE)
    state = await wait_for(incident, lambda s: s.review_workflow_id is not None)
    assert state.review_workflow_id is not None
    review = worker.track(state.review_workflow_id)
    await poll(lambda: review_status(review), lambda r: bool(r.timeline), "review opened")
    yield Target(
        worker=worker, policy=load_policy(EXAMPLE_POLICY), incident=incident, review=review
    )
