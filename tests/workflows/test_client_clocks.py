"""Every contracted client's clocks inside a real incident, on the time-skipping server.

The example policy: ACME's Gold contract counts round the clock (critical: ack 10m), Globex's
Standard contract counts London office hours (critical: ack 30m of business time). Whatever
the day the test runs, Globex's breach must land exactly when the calendar says.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from escalation.business_time import add_business_time
from escalation.incident import IncidentState
from escalation.policy_loader import load_policy
from tests.conftest import EXAMPLE_POLICY
from tests.polling import poll
from tests.workflows.helpers import entries, start_incident, wait_for
from tests.workflows.test_escalation_timing import breached_attribute

BOTH = {"clients_affected": ["acme", "globex"], "category": "outage", "users_affected": 40}


async def test_two_clients_are_each_breached_at_their_own_moment(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    policy = load_policy(EXAMPLE_POLICY)
    worker = make_worker(time_skipping_env.client)
    async with worker.worker:
        handle = await start_incident(worker, **BOTH)
        opened = (await wait_for(handle, lambda s: s.client_clocks)).opened_at
        office = policy.calendars["london-office"]
        globex_due = add_business_time(opened, timedelta(minutes=30), office)
        await time_skipping_env.sleep(globex_due - opened + timedelta(minutes=1))
        state = await wait_for(
            handle, lambda s: any("Globex" in e.detail for e in entries(s, "sla_breach"))
        )

    breaches = {e.detail.split(" target")[0]: e.at for e in entries(state, "sla_breach")}
    acme = breaches["ACME Corp (Gold contract) acknowledgment"]
    assert on_time(acme, opened + timedelta(minutes=10))
    assert on_time(breaches["Globex (Standard contract) acknowledgment"], globex_due)
    assert on_time(
        breaches["acknowledgment SLA breached: not acknowledged within 15m"],
        opened + timedelta(minutes=15),
    )
    management = [e.at for e in entries(state, "escalated") if "Globex" in e.detail]
    assert len(management) == 1 and on_time(management[0], globex_due)
    clocks = {clock.client: clock for clock in state.client_clocks}
    assert clocks["acme"].ack_breached and clocks["globex"].ack_breached
    assert clocks["globex"].ack_due == globex_due


def on_time(fired: datetime, due: datetime) -> bool:
    """A timer fires at its due time, give or take the server's few milliseconds."""
    return due <= fired < due + timedelta(seconds=1)


async def test_a_client_added_by_a_later_alert_hears_the_opening_and_gets_its_clock(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    worker = make_worker(time_skipping_env.client)
    async with worker.worker:
        handle = await start_incident(worker, clients_affected=["acme"])  # medium
        assert (await wait_for(handle, lambda s: s.client_clocks)).client_clocks[0].ack_within == (
            timedelta(hours=2)  # Gold sets nothing for medium: the severity's own 2h
        )
        await time_skipping_env.sleep(timedelta(minutes=5))
        later = {"title": "checkout failing", "service": "payments", "clients_affected": ["globex"]}
        await handle.signal("new_alert", later)
        state = await wait_for(
            handle,
            lambda s: any(
                n.purpose == "client_opened" and n.recipient == "Globex (Globex NOC)"
                for n in s.notifications
            ),
        )

    [notice] = [e for e in entries(state, "client_update") if "opening notice" in e.detail]
    assert notice.detail == "Globex joined: opening notice sent"
    clocks = {clock.client: clock for clock in state.client_clocks}
    assert clocks["acme"].started_at == state.opened_at
    # Two clients make it critical: ACME's clock follows, to Gold's critical 10m.
    assert state.severity == "critical"
    assert clocks["acme"].ack_due == state.opened_at + timedelta(minutes=10)
    assert clocks["globex"].started_at == notice.at > state.opened_at
    office = load_policy(EXAMPLE_POLICY).calendars["london-office"]
    assert clocks["globex"].ack_due == add_business_time(notice.at, timedelta(minutes=30), office)


async def test_a_clients_breach_alone_sets_incident_breached(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    """ACME's Gold acknowledgment (10m) is breached five minutes before the severity's (15m)."""
    worker = make_worker(time_skipping_env.client)
    async with worker.worker:
        handle = await start_incident(worker, **BOTH)
        await wait_for(handle, lambda s: s.client_clocks)
        assert await breached_attribute(handle) is False
        await time_skipping_env.sleep(timedelta(minutes=11))
        state = await wait_for(handle, lambda s: "client_ack" in s.breaches)
        await handle.execute_update("acknowledge", {"by": "alice"})  # before the severity's 15m
        state = await wait_for(handle, lambda s: s.status == "acknowledged")
        await poll(lambda: breached_attribute(handle), bool, "IncidentBreached = true")

    assert not state.sla.ack_breached and state.breaches == ["client_ack"]


async def test_each_client_hears_on_its_contracts_update_cadence(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    """Critical: ACME's Gold promises an update every 30m; Globex's Standard every 2 office
    hours, so the severity's 30m cadence no longer reaches Globex."""
    worker = make_worker(time_skipping_env.client)
    async with worker.worker:
        handle = await start_incident(worker, **BOTH)
        await wait_for(handle, lambda s: s.client_clocks)
        await handle.execute_update("acknowledge", {"by": "alice"})
        await time_skipping_env.sleep(timedelta(minutes=65))
        state = await wait_for(handle, lambda s: len(_scheduled(s, "ACME Corp")) == 2)

    assert _scheduled(state, "Globex (Globex NOC)") == []
    told = next(e.at for e in entries(state, "acknowledged"))
    first, second = _scheduled(state, "ACME Corp")
    assert on_time(first, told + timedelta(minutes=30))
    assert on_time(second, told + timedelta(minutes=60))


def _scheduled(state: IncidentState, recipient: str) -> list[datetime]:
    """When the recipient was sent a scheduled client update (after the acknowledgment's)."""
    acked = next((e.at for e in entries(state, "acknowledged")), None)
    return [
        n.at
        for n in state.notifications
        if n.purpose == "client_update"
        and n.recipient == recipient
        and acked
        and n.at > acked + timedelta(seconds=1)
    ]
