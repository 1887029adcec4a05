"""Waiting on the client in the pure engine, on a fixed clock and the example policy.

Opened Friday 2026-12-04 16:00 UTC, critical. ACME (Gold, 24x7): resolve 2h. Globex (Standard,
London office hours 09:00-17:00, GMT in December, max_pause 2d): resolve 8h, due Monday 16:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from activities.report_rendering import render_report
from escalation import engine, verb_refusals, verbs
from escalation.client_clock import ClientClock
from escalation.commands import ClientReplied, Resolve, WaitForClient
from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.report_building import build_report
from tests.escalation.test_client_clocks import FRIDAY, breaches, opened
from tests.escalation.test_engine import acknowledge, run_until
from workflows.presentation import current_details


def apply(policy: Policy, state: IncidentState, command: BaseModel, now: datetime) -> None:
    assert verb_refusals.refusal(policy, state, command) is None
    verbs.apply(policy, state, command, now)


def clock(state: IncidentState, client: str) -> ClientClock:
    return next(c for c in state.client_clocks if c.client == client)


def test_a_pause_over_the_weekend_moves_the_due_time_by_the_business_time_paused(
    example_policy: Policy,
) -> None:
    state = opened(example_policy, ["acme", "globex"])
    acknowledge(example_policy, state, FRIDAY + timedelta(minutes=5))
    assert clock(state, "globex").resolve_due == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)

    paused = FRIDAY + timedelta(minutes=30)
    apply(example_policy, state, WaitForClient(by="alice", client="Globex", reason="logs"), paused)
    assert clock(state, "globex").waiting is not None
    replied = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # Saturday
    apply(example_policy, state, ClientReplied(by="alice", client="globex"), replied)

    globex = clock(state, "globex")
    assert globex.waiting is None
    assert [(w.since, w.until, w.ended_by) for w in globex.pauses] == [(paused, replied, "alice")]
    # Only Friday 16:30-17:00 was working time: the due time moves by half an hour.
    assert globex.resolve_due == datetime(2026, 12, 7, 16, 30, tzinfo=UTC)
    assert clock(state, "acme").pauses == []


def test_a_paused_clock_is_not_breached_and_resumes_by_itself_after_max_pause(
    example_policy: Policy,
) -> None:
    state = opened(example_policy, ["acme"])
    acknowledge(example_policy, state, FRIDAY + timedelta(minutes=5))
    paused = FRIDAY + timedelta(hours=1)
    apply(example_policy, state, WaitForClient(by="alice", client="acme", reason="access"), paused)

    run_until(example_policy, state, paused + timedelta(days=3, hours=2))

    acme = clock(state, "acme")
    resumed = paused + timedelta(days=3)  # Gold sets no max_pause: the default 3d
    assert [(w.until, w.ended_by) for w in acme.pauses] == [(resumed, engine.SYSTEM)]
    [entry] = [e for e in state.timeline if e.kind == "client_replied"]
    assert (entry.at, entry.actor) == (resumed, engine.SYSTEM)
    assert "no reply within max_pause 3d" in entry.detail
    # 1h of the 2h was used before the pause: breached one hour after it resumed.
    assert acme.resolve_due == resumed + timedelta(hours=1)
    assert [
        at for at, detail in breaches(state) if "ACME" in detail and "resolution" in detail
    ] == [resumed + timedelta(hours=1)]


def test_waits_are_refused_when_they_cannot_apply(example_policy: Policy) -> None:
    state = opened(example_policy, ["acme"])
    refusal = verb_refusals.refusal

    unknown = WaitForClient(by="alice", client="initech", reason="x")
    assert "no contract clock for client 'initech'" in (
        refusal(example_policy, state, unknown) or ""
    )
    replied = ClientReplied(by="alice", client="acme")
    assert refusal(example_policy, state, replied) == "not waiting on ACME Corp"
    wait = WaitForClient(by="alice", client="ACME corp", reason="logs")
    apply(example_policy, state, wait, FRIDAY)
    assert "already waiting on ACME Corp" in (refusal(example_policy, state, wait) or "")


def test_the_report_counts_business_time_without_the_wait(example_policy: Policy) -> None:
    state = opened(example_policy, ["acme"])
    acknowledge(example_policy, state, FRIDAY + timedelta(minutes=5))
    wait = WaitForClient(by="alice", client="acme", reason="logs")
    apply(example_policy, state, wait, FRIDAY + timedelta(minutes=30))
    resolve = Resolve(by="alice", cause="cert", resolution="rotated")
    apply(example_policy, state, resolve, FRIDAY + timedelta(hours=4))

    assert clock(state, "acme").waiting is None  # the resolution ended the wait
    report = build_report(state, example_policy, audience="client", client="ACME Corp")
    [kept] = [o for o in report.contract_outcomes if o.clock == "resolve"]
    assert (kept.used, kept.paused, kept.verdict) == (
        timedelta(minutes=30),
        timedelta(hours=3, minutes=30),
        "met",
    )
    assert "not counted: 3h 30m waiting on the client" in render_report(report).markdown


def test_the_ui_details_show_the_wait(example_policy: Policy) -> None:
    state = opened(example_policy, ["acme"])
    wait = WaitForClient(by="alice", client="acme", reason="asked for their proxy logs")
    apply(example_policy, state, wait, FRIDAY)

    details = current_details(example_policy, state, engine.next_deadline(example_policy, state))
    details = details.replace("\\", "")  # Markdown escapes

    assert (
        "- Waiting on ACME Corp (resolution clock paused) since 2026-12-04 16:00 UTC, resumes by "
        "2026-12-07 16:00 UTC: asked for their" in details
    )
