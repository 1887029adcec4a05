"""Waiting on the client inside a real incident, on the time-skipping server.

The example policy: ACME's Gold contract (24x7, critical resolve 2h, max_pause 3d by default);
Globex's Standard contract (London office hours, high resolve 16h, max_pause 2d).

A pause ended by `client_replied` is proven on the dev server (tests/starter/test_client_wait_cli.py)
and in the recorded histories: on the time-skipping server that story failed now and then with
the server rejecting a workflow task ("invalid history builder state for action"), a quirk the
dev server does not share. The due-time arithmetic of a reply is in tests/escalation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from temporalio.testing import WorkflowEnvironment

from escalation.business_time import add_business_time, business_time_between
from escalation.client_clock import ClientClock
from escalation.incident import IncidentState
from escalation.policy_loader import load_policy
from tests.conftest import EXAMPLE_POLICY
from tests.workflows.helpers import entries, start_incident, wait_for
from tests.workflows.test_client_clocks import on_time

ACK = {"by": "alice"}


async def test_a_pause_over_a_weekend_resumes_by_itself_after_max_pause(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    office = load_policy(EXAMPLE_POLICY).calendars["london-office"]
    now = await time_skipping_env.get_current_time()
    await time_skipping_env.sleep(_next_friday(now, office.time_zone, hour=14) - now)
    worker = make_worker(time_skipping_env.client)
    async with worker.worker:
        handle = await start_incident(  # Globex alone, an outage: high, resolve 16h of office time
            worker, clients_affected=["globex"], category="outage", users_affected=40
        )
        opened = (await wait_for(handle, lambda s: s.client_clocks)).opened_at
        await handle.signal("acknowledge", ACK)
        await time_skipping_env.sleep(timedelta(hours=1))
        wait = {"by": "alice", "client": "globex", "reason": "needs their change window"}
        await handle.signal("wait_for_client", wait)
        paused = await wait_for(handle, lambda s: _globex(s).waiting is not None)
        since = _globex(paused).waiting.since
        await time_skipping_env.sleep(timedelta(days=2, hours=1))
        state = await wait_for(handle, lambda s: _globex(s).waiting is None)

    [pause] = _globex(state).pauses
    assert (pause.until, pause.ended_by) == (since + timedelta(days=2), "escalation")
    [resumed] = entries(state, "client_replied")
    assert "no reply within max_pause 2d" in resumed.detail and on_time(resumed.at, pause.until)
    unpaused = add_business_time(opened, timedelta(hours=16), office)
    due = add_business_time(opened, timedelta(hours=16), office, [(since, pause.until)])
    assert _globex(state).resolve_due == due
    # Friday from the pause to 17:00 was working time (unless a holiday); the weekend was not.
    assert due - unpaused == business_time_between(since, pause.until, office)
    closing = since.astimezone(ZoneInfo(office.time_zone)).replace(hour=17, minute=0, second=0)
    assert due - unpaused in {closing.replace(microsecond=0) - since, timedelta(0)}


def _next_friday(now: datetime, zone: str, hour: int) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    days = (4 - local.weekday()) % 7 or 7
    return (local + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _acme(state: IncidentState) -> ClientClock:
    return next(c for c in state.client_clocks if c.client == "acme")


def _globex(state: IncidentState) -> ClientClock:
    return next(c for c in state.client_clocks if c.client == "globex")
