"""Every contracted client's clocks in the pure engine, on a fixed clock and the example policy.

ACME (Gold, 24x7) critical: ack 10m, resolve 2h. Globex (Standard, London office hours
09:00-17:00, GMT in December) critical: ack 30m, resolve 8h. The severity: ack 15m, resolve 4h.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from activities.report_rendering import render_report
from activities.template_files import template_environment
from escalation import engine, verbs
from escalation.alerts import Alert
from escalation.client_clocks import start_clocks
from escalation.client_joins import follow_severity, welcome
from escalation.client_notice import client_notice
from escalation.commands import PostUpdate, Reopen, Resolve
from escalation.deadlines import due_deadlines
from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.report_building import build_report
from tests.escalation.test_engine import acknowledge, fired_for, notifies, run_until

FRIDAY = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def opened(policy: Policy, clients: list[str]) -> IncidentState:
    alert = Alert(
        title="checkout 5xx", service="payments", category="data_breach", clients_affected=clients
    )
    state, _ = engine.open_incident(policy, incident_id="INC-1", key="k1", alert=alert, now=FRIDAY)
    start_clocks(policy, state, FRIDAY)
    return state


def breaches(state: IncidentState) -> list[tuple[datetime, str]]:
    return [(e.at, e.detail) for e in state.timeline if e.kind == "sla_breach"]


def test_each_client_is_breached_at_its_own_moment_and_named(example_policy: Policy) -> None:
    state = opened(example_policy, ["acme", "globex"])

    fired = run_until(example_policy, state, datetime(2026, 12, 8, tzinfo=UTC))

    assert breaches(state) == [
        (
            FRIDAY + timedelta(minutes=10),
            "ACME Corp (Gold contract) acknowledgment target breached: not acknowledged within "
            "10m (round the clock)",
        ),
        (
            FRIDAY + timedelta(minutes=15),
            "acknowledgment SLA breached: not acknowledged within 15m",
        ),
        (
            FRIDAY + timedelta(minutes=30),
            "Globex (Standard contract) acknowledgment target breached: not acknowledged within "
            "30m (business time, london-office)",
        ),
        (
            FRIDAY + timedelta(hours=2),
            "ACME Corp (Gold contract) resolution target breached: not resolved within 2h "
            "(round the clock)",
        ),
        (FRIDAY + timedelta(hours=4), "resolution SLA breached: not resolved within 4h"),
        (
            datetime(2026, 12, 7, 16, 0, tzinfo=UTC),  # 1h on Friday, 7h on Monday
            "Globex (Standard contract) resolution target breached: not resolved within 8h "
            "(business time, london-office)",
        ),
    ]
    assert state.breaches == [
        "client_ack",
        "ack",
        "client_ack",
        "client_resolve",
        "resolve",
        "client_resolve",
    ]
    management = [when for when, _ in fired_for(fired, "ack_breach")]
    assert management == [FRIDAY + timedelta(minutes=m) for m in (10, 15, 30)]
    [globex, acme] = sorted(state.client_clocks, key=lambda c: c.client, reverse=True)
    assert (globex.client, globex.resolve_breached) == ("globex", True)
    assert (acme.client, acme.ack_breached) == ("acme", True)


def test_an_acknowledgment_in_time_stops_the_clients_ack_clocks(example_policy: Policy) -> None:
    state = opened(example_policy, ["acme", "globex"])
    acknowledge(example_policy, state, FRIDAY + timedelta(minutes=5))

    run_until(example_policy, state, FRIDAY + timedelta(hours=1))

    assert breaches(state) == []
    due = [d for d in due_deadlines(example_policy, state) if d and d.kind == "client_sla"]
    assert [(d.at, d.summary) for d in due] == [
        (FRIDAY + timedelta(hours=2), "acme resolve target"),
        (datetime(2026, 12, 7, 16, 0, tzinfo=UTC), "globex resolve target"),
    ]


def test_a_reopen_restarts_every_clients_clocks_from_the_reopen(example_policy: Policy) -> None:
    """Acknowledged and resolved in time, then reopened hours later: no client is breached at
    the reopen (its first cycle's due times are long past), and the new cycle's targets count
    from the reopen: ACME's 10m acknowledgment is breached ten minutes after it, not before."""
    state = opened(example_policy, ["acme", "globex"])
    acknowledge(example_policy, state, FRIDAY + timedelta(minutes=5))
    resolve = Resolve(by="alice", cause="cert", resolution="rotated")
    verbs.apply(example_policy, state, resolve, FRIDAY + timedelta(minutes=30))
    reopened_at = FRIDAY + timedelta(hours=5)

    verbs.apply(example_policy, state, Reopen(by="alice", reason="it is back"), reopened_at)
    run_until(example_policy, state, reopened_at + timedelta(minutes=11))

    assert breaches(state) == [
        (
            reopened_at + timedelta(minutes=10),
            "ACME Corp (Gold contract) acknowledgment target breached: not acknowledged within "
            "10m (round the clock)",
        ),
    ]
    acme = next(clock for clock in state.client_clocks if clock.client == "acme")
    assert acme.started_at == reopened_at
    assert acme.resolve_due == reopened_at + timedelta(hours=2)


def test_a_client_opened_outside_hours_starts_at_the_next_opening(example_policy: Policy) -> None:
    saturday = datetime(2026, 12, 5, 11, tzinfo=UTC)
    state = opened(example_policy, ["globex"])
    state.client_clocks.clear()
    start_clocks(example_policy, state, saturday)

    [clock] = state.client_clocks
    assert clock.ack_due == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert clock.resolve_due == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)


def test_clients_without_a_contract_get_no_clock(example_policy: Policy) -> None:
    policy = example_policy.model_copy(
        update={
            "clients": {
                key: client.model_copy(update={"contract": None})
                for key, client in example_policy.clients.items()
            }
        }
    )
    state = opened(policy, ["acme", "globex"])
    assert state.client_clocks == []
    assert all(d.kind != "client_sla" for d in due_deadlines(policy, state) if d)


def test_a_client_added_by_a_later_alert_is_told_and_clocked_from_joining(
    example_policy: Policy,
) -> None:
    state = opened(example_policy, ["acme"])
    joined_at = FRIDAY + timedelta(hours=1)  # 17:00: London's office has just closed
    before = list(state.clients_affected)
    alert = Alert(title="checkout 5xx", service="payments", clients_affected=["globex"])
    verbs.apply(example_policy, state, alert, joined_at)

    actions = welcome(example_policy, state, before, joined_at)

    assert [(n.purpose, [r.name for r in n.recipients]) for n in notifies(actions)] == [
        ("client_opened", ["Globex (Globex NOC)"])
    ]
    clock = next(c for c in state.client_clocks if c.client == "globex")
    assert clock.started_at == joined_at
    assert clock.ack_due == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # Monday's opening + 30m
    assert welcome(example_policy, state, list(state.clients_affected), joined_at) == []


def test_a_severity_change_recomputes_every_clients_clock(example_policy: Policy) -> None:
    state = opened(example_policy, ["acme", "globex"])
    run_until(example_policy, state, FRIDAY + timedelta(minutes=12))  # ACME's 10m ack missed
    state.severity = "high"

    follow_severity(example_policy, state)

    clocks = {clock.client: clock for clock in state.client_clocks}
    assert clocks["acme"].ack_due == FRIDAY + timedelta(minutes=15)  # Gold high: ack 15m
    assert clocks["acme"].resolve_due == FRIDAY + timedelta(hours=4)
    assert clocks["acme"].ack_breached  # still unacknowledged
    # 16 business hours: one on Friday, eight on Monday, seven on Tuesday
    assert clocks["globex"].resolve_due == datetime(2026, 12, 8, 16, tzinfo=UTC)
    acknowledge(example_policy, state, FRIDAY + timedelta(minutes=13))
    follow_severity(example_policy, state)
    assert not {c.client: c for c in state.client_clocks}["acme"].ack_breached


def test_reports_say_whether_each_clients_contract_was_kept(example_policy: Policy) -> None:
    state = opened(example_policy, ["acme", "globex"])
    run_until(example_policy, state, FRIDAY + timedelta(minutes=20))
    acknowledge(example_policy, state, FRIDAY + timedelta(minutes=20))
    state.resolved_at = datetime(2026, 12, 7, 10, tzinfo=UTC)  # Monday 10:00

    internal = build_report(state, example_policy, audience="internal")
    rows = [(o.client, o.clock, o.used, o.verdict) for o in internal.contract_outcomes]
    assert rows == [
        ("ACME Corp", "acknowledge", timedelta(minutes=20), "breached"),
        ("ACME Corp", "resolve", timedelta(days=2, hours=18), "breached"),
        ("Globex", "acknowledge", timedelta(minutes=20), "met"),
        ("Globex", "resolve", timedelta(hours=2), "met"),  # Friday 16-17, Monday 9-10
    ]
    for_globex = build_report(state, example_policy, audience="client", client="Globex")
    assert {o.client for o in for_globex.contract_outcomes} == {"Globex"}
    assert build_report(state, example_policy, audience="client").contract_outcomes == []
    markdown = render_report(for_globex).markdown
    assert "| Globex | Standard (london-office) | resolve | 8h | 2h | met |" in markdown
    assert "ACME" not in markdown


def test_a_clients_breach_is_named_in_its_own_updates_only(example_policy: Policy) -> None:
    state = opened(example_policy, ["acme", "globex"])
    run_until(example_policy, state, FRIDAY + timedelta(minutes=20))  # ACME's 10m missed
    update = PostUpdate(by="alice", message="Failover under way.")
    [notify] = verbs.apply(example_policy, state, update, FRIDAY + timedelta(minutes=20))

    pages = template_environment().get_template("client_notice.j2")
    acme = pages.render(notice=client_notice(notify.purpose, notify.facts, "ACME Corp", None))
    globex = pages.render(notice=client_notice(notify.purpose, notify.facts, "Globex", None))
    missed = "We missed the acknowledgment target of your Gold contract: 10m (round the clock)."
    assert missed in acme
    assert "missed" not in globex and "Gold" not in globex
