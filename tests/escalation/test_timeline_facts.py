"""Timeline entries carry their facts beside the sentence, and entries without them still read."""

from __future__ import annotations

from escalation import verbs
from escalation.commands import ChangeSeverity
from escalation.incident import IncidentState
from escalation.logbook import FACTS
from escalation.policy import Policy
from escalation.report_building import build_report
from tests.escalation.test_engine import acknowledge, at, open_incident, run_until


def breached_incident(policy: Policy) -> IncidentState:
    """Critical, nobody answers for 20 minutes (tiers 1 and 2 paged, ack SLA breached), then
    reclassified high, acknowledged and escalated through the rest."""
    state, _ = open_incident(policy)
    run_until(policy, state, at(20))
    verbs.apply(policy, state, ChangeSeverity(by="bob", severity="high", reason="smaller"), at(21))
    acknowledge(policy, state, at(22))
    run_until(policy, state, at(hours=6))
    return state


def test_engagements_breaches_and_reclassifications_state_their_facts(
    example_policy: Policy,
) -> None:
    state = breached_incident(example_policy)
    paged = [e for e in state.timeline if e.kind == "paged"]
    assert [(e.tier, e.recipients) for e in paged[:2]] == [
        ("Tier 1 frontline", ["alice"]),
        ("Tier 2 specialists", ["bob"]),
    ]
    assert all(e.reason for e in paged)
    [escalated, *_] = [e for e in state.timeline if e.kind == "escalated"]
    assert (escalated.tier, escalated.recipients) == ("management", ["erin"])
    [ack_breach, *_] = [e for e in state.timeline if e.kind == "sla_breach"]
    assert (ack_breach.clock, ack_breach.severity) == ("acknowledge", "critical")
    [changed] = [e for e in state.timeline if e.kind == "severity_changed"]
    assert changed.severity == "high"
    [classified] = [e for e in state.timeline if e.kind == "classified"]
    assert classified.severity == "critical"


def test_entries_recorded_without_facts_load_and_report_the_same(example_policy: Policy) -> None:
    """Old histories and carried state have only the sentence: the report reads it from there."""
    state = breached_incident(example_policy)
    old = state.model_dump(mode="json")
    for entry in old["timeline"]:
        for name in FACTS:
            entry.pop(name, None)
    loaded = IncidentState.model_validate(old)
    assert all(getattr(e, name) is None for e in loaded.timeline for name in FACTS)
    for audience in ("internal", "client"):
        assert build_report(loaded, example_policy, audience=audience) == build_report(
            state, example_policy, audience=audience
        )


def test_absent_facts_are_not_written(example_policy: Policy) -> None:
    """The log's size stays what it was: an entry without facts serializes as before."""
    state, _ = open_incident(example_policy)
    [opened] = [e for e in state.timeline if e.kind == "opened"]
    assert set(opened.model_dump(mode="json")) == {"at", "kind", "actor", "detail", "via"}
