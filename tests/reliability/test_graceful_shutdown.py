"""SIGTERM while a page is on the wire: the worker drains it or hands it back, never loses it.

The fake SendGrid holds the Tier 1 page's request open and the worker gets SIGTERM while the
delivery activity waits for the answer.

- drained: the answer comes inside ESCALATION_SHUTDOWN_GRACE_SECONDS. The worker finishes the
  delivery, exits 0 within the grace, and the provider received the page once.
- handed back: the provider hangs past the grace and past the SDK's own request timeout. The
  worker exits 0 once the blocked call returns (a thread blocked in a socket read cannot be
  interrupted sooner), reports the attempt failed with `WorkerShutdown`, and the next worker
  delivers the page at once, not after the activity's start-to-close timeout. The provider
  saw the page twice: the cut-off request is the duplicate the README warns of.

Either way the incident records the page exactly once, as sent.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from temporalio.api.history.v1 import HistoryEvent

from activities.sendgrid_transport import DEFAULT_TIMEOUT_SECONDS
from escalation.alerts import Alert
from escalation.incident import IncidentState
from starter.opening import open_incident
from tests.fakes.providers import SENDGRID_PATH, FakeProviders, slow
from tests.polling import poll
from tests.processes import Stack, WorkerProcess, dev_stack
from tests.reliability.conftest import (
    ALICE_EMAIL,
    SHORT_WINDOWS_POLICY,
    page_delivery_events,
    provider_env,
    provider_pages,
)

pytestmark = pytest.mark.e2e

KEY = "sigterm"
EXIT_SLACK_SECONDS = 3.0
"""Beyond the longer of the grace and the provider timeout: the worker's own teardown."""


@pytest.mark.parametrize(
    ("grace", "answer_after", "handed_back"),
    [
        pytest.param(6.0, 2.0, False, id="drained"),
        pytest.param(2.0, 60.0, True, id="handed-back"),
    ],
)
async def test_sigterm_during_a_delivery_loses_no_page(
    tmp_path: Path,
    providers: FakeProviders,
    grace: float,
    answer_after: float,
    handed_back: bool,
) -> None:
    env = provider_env(providers) | {"ESCALATION_SHUTDOWN_GRACE_SECONDS": str(grace)}
    async with dev_stack(tmp_path, policy=SHORT_WINDOWS_POLICY, env=env) as stack:
        first = await WorkerProcess.start(stack, name="worker-1")
        await first.wait_until_polling()
        providers.inject(SENDGRID_PATH, slow(answer_after))
        alert = Alert(title="sigterm", service="payments", dedup_key=KEY)
        await open_incident(stack.client, alert)
        await poll(
            lambda: _emails_received(providers),
            lambda count: count >= 1,
            "the Tier 1 page on the wire",
        )
        code, took = await first.terminate(within=grace + DEFAULT_TIMEOUT_SECONDS + 10)
        second = await WorkerProcess.start(stack, name="worker-2")
        await second.wait_until_polling()
        state = await _page_recorded(stack)
        started = await _page_delivery_started(stack)
    print(f"\nSIGTERM ({'handed back' if handed_back else 'drained'}): exit {code} in {took:.1f}s")

    assert code == 0, first.log()
    assert "worker stopped" in first.log()
    pages = [n for n in state.notifications if n.to == ALICE_EMAIL]
    assert [n.status for n in pages] == ["sent"]
    received = provider_pages(providers)[(state.incident_id, ALICE_EMAIL)]
    last = started.activity_task_started_event_attributes
    if handed_back:
        assert took <= max(grace, DEFAULT_TIMEOUT_SECONDS) + EXIT_SLACK_SECONDS
        assert last.attempt == 2
        assert last.last_failure.application_failure_info.type == "WorkerShutdown"
        assert last.identity == _identity(second.pid)
        assert received == 2
    else:
        assert took <= grace
        assert last.attempt == 1
        assert last.identity == _identity(first.pid)
        assert received == 1


async def _emails_received(fake: FakeProviders) -> int:
    return len(fake.requests_to(SENDGRID_PATH))


async def _page_recorded(stack: Stack) -> IncidentState:
    handle = stack.client.get_workflow_handle(f"incident-{KEY}")
    return await poll(
        lambda: handle.query("status", result_type=IncidentState | None),
        lambda state: any(n.to == ALICE_EMAIL for n in state.notifications),
        "an outcome for the Tier 1 page",
        seconds=60,
    )


async def _page_delivery_started(stack: Stack) -> HistoryEvent:
    """The Tier 1 page's ActivityTaskStarted event: written when the activity closes, it names
    the last attempt, the failure of the one before, and the worker that ran it."""
    return (await page_delivery_events(stack, KEY))[1]


def _identity(pid: int) -> str:
    """The worker identity the Python SDK gives a process: `<pid>@<host>`."""
    return f"{pid}@{socket.gethostname()}"
