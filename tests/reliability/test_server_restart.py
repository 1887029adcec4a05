"""The Temporal server crashes mid-incident and comes back: the running worker carries on.

A few incidents have paged Tier 1 when the dev server is killed with SIGKILL (a crash: no
flush, no goodbye; the SQLite file is in WAL mode, which keeps every committed transaction
through a process crash). It stays down until every Tier 2 deadline has passed, then restarts on
the same port and the same SQLite file. The worker process is never touched: it must reconnect
by itself, and the escalations that came due during the downtime must fire on return.
"""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from escalation.alerts import Alert
from escalation.incident import IncidentState
from escalation.logbook import TimelineEntry
from starter.opening import open_incident
from tests.fakes.providers import FakeProviders
from tests.polling import poll
from tests.processes import WorkerProcess, dev_stack, start_server
from tests.reliability.conftest import (
    PAGED_ADDRESSES,
    SHORT_WINDOWS_POLICY,
    TIER_WINDOW,
    incident_states,
    provider_env,
    provider_pages,
)

pytestmark = pytest.mark.e2e

INCIDENTS = 5
PAST_DEADLINE = timedelta(seconds=2)
"""The server stays down this long after the last Tier 2 deadline."""
ON_RETURN = timedelta(seconds=20)
"""How soon after the server answers again an overdue escalation must have fired: the worker's
pollers come back on the SDK's reconnect backoff (1 to 3.5 s seen, and 10.8 s once in a full
clean-clone run), so a bound at 10 s failed by chance."""
SETTLE_SECONDS = 60.0


async def test_server_killed_and_restarted_the_same_worker_fires_overdue_escalations(
    tmp_path: Path, providers: FakeProviders
) -> None:
    async with dev_stack(
        tmp_path, policy=SHORT_WINDOWS_POLICY, env=provider_env(providers)
    ) as stack:
        worker = await WorkerProcess.start(stack)
        await worker.wait_until_polling()
        keys = [f"restart-{number}" for number in range(INCIDENTS)]
        for key in keys:
            alert = Alert(title=f"restart {key}", service="payments", dedup_key=key)
            await open_incident(stack.client, alert)
        before = await poll(
            lambda: incident_states(stack, keys),
            lambda states: all(_sent(s, "Alice Ng") for s in states),
            "Tier 1 paged in every incident",
        )
        tier_two_due = max(_step(s, "Tier 1").at for s in before) + TIER_WINDOW

        server_pid = stack.server.pid
        assert server_pid is not None
        os.kill(server_pid, signal.SIGKILL)
        stack.server.stop()  # reaps the killed process
        down_at = datetime.now(UTC)
        assert down_at < tier_two_due, "too slow: Tier 2 came due before the server went down"
        # The downtime is the thing under test: every Tier 2 deadline passes during it.
        await asyncio.sleep((tier_two_due + PAST_DEADLINE - down_at).total_seconds())

        await start_server(stack.server)  # same port, same SQLite file
        back_at = datetime.now(UTC)
        states = await poll(
            lambda: incident_states(stack, keys),
            lambda states: all(_sent(s, "Erin Walsh") for s in states),
            "every incident escalated to management after the restart",
            seconds=SETTLE_SECONDS,
        )
        assert worker.running, worker.log()
        code, _ = await worker.terminate()
    assert code == 0, worker.log()
    assert worker.log().count("worker polling task queue") == 1  # one process, never restarted

    received = provider_pages(providers)
    after_return: list[timedelta] = []
    for state in states:
        tier_one, tier_two = _step(state, "Tier 1"), _step(state, "Tier 2")
        management = _step(state, "management")
        assert down_at < tier_one.at + TIER_WINDOW < back_at, "the deadline fell in the downtime"
        # Fired on return: not before the server was back (its clock may lead ours by a hair)
        # and soon after.
        assert tier_two.at - back_at >= -timedelta(seconds=1), (state.incident_id, tier_two)
        assert tier_two.at - back_at <= ON_RETURN, (state.incident_id, tier_two.at - back_at)
        after_return.append(tier_two.at - back_at)
        assert management.at >= tier_two.at + TIER_WINDOW
        for recipient in ("Alice Ng", "Bob Okafor", "Erin Walsh"):
            assert _sent(state, recipient) == 1, (state.incident_id, recipient)
        for address in PAGED_ADDRESSES:
            assert received[(state.incident_id, address)] >= 1
    print(
        f"\nserver killed and restarted: down {(back_at - down_at).total_seconds():.1f}s; "
        f"overdue Tier 2 escalations fired {max(after_return).total_seconds():.1f}s at most "
        "after the server answered again"
    )


def _step(state: IncidentState, name: str) -> TimelineEntry:
    return next(e for e in state.timeline if e.tier == name)


def _sent(state: IncidentState, recipient: str) -> int:
    return sum(1 for n in state.notifications if n.recipient == recipient and n.status == "sent")
