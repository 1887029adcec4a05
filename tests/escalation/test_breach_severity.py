"""A breach of a former severity's SLA: in the record under that severity, not in the current
verdict or flag (example policy: critical acks within 15m, medium within 2h)."""

from __future__ import annotations

from activities.report_rendering import render_report
from escalation import engine
from escalation.commands import Acknowledge, ChangeSeverity
from escalation.incident_measures import ack_breached
from escalation.policy import Policy
from escalation.report_building import build_report
from tests.escalation.test_verbs import T0, at, do, open_incident

LOWER = ChangeSeverity(by="carol", severity="medium", reason="one region only")


def test_a_lowered_severity_lifts_the_flag_and_the_report_names_the_former_breach(
    example_policy: Policy,
) -> None:
    state = open_incident(example_policy)
    engine.advance(example_policy, state, at(16))
    assert state.sla.ack_breached

    do(example_policy, state, LOWER, at(20))
    assert not state.sla.ack_breached
    assert state.breaches == ["ack"]
    engine.advance(example_policy, state, at(29))  # medium's 2 hours are not up
    assert [e.kind for e in state.timeline].count("sla_breach") == 1

    do(example_policy, state, Acknowledge(by="bob"), at(30))
    assert not state.sla.ack_breached
    assert not ack_breached(state)
    report = build_report(state, example_policy, audience="internal")
    assert report.acknowledge_sla.verdict == "met"
    assert [(b.severity, b.clock, b.at) for b in report.breaches] == [
        ("critical", "acknowledge", at(16))
    ]
    assert "(+16m, critical SLA): acknowledgment SLA breached" in render_report(report).markdown


def test_a_severity_still_breached_under_the_new_sla_keeps_its_flag(
    example_policy: Policy,
) -> None:
    state = open_incident(example_policy)
    engine.advance(example_policy, state, at(hours=3))
    do(example_policy, state, LOWER, at(hours=3))  # 3 hours: past medium's 2 hours too
    assert state.sla.ack_breached
    assert [e.kind for e in state.timeline].count("sla_reset") == 0
    assert ack_breached(state) and state.opened_at == T0
