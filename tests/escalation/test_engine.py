"""The pure engine against the example policy, on a fixed clock.

Example policy, critical: ack 15m, resolve 4h, client updates every 30m; tiers 10m/15m/20m to
acknowledge (ownership 30m/1h/20m once acknowledged); repeat 1; management is Erin.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from escalation import engine, verb_refusals, verbs
from escalation.actions import Action, Deadline, Notify
from escalation.alerts import Alert
from escalation.commands import Acknowledge, PostUpdate, Resolve
from escalation.incident import IncidentState
from escalation.policy import Policy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float = 0, *, hours: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def open_incident(policy: Policy, **alert_fields: Any) -> tuple[IncidentState, list[Action]]:
    alert_fields.setdefault("category", "data_breach")  # critical unless told otherwise
    alert = Alert(title="checkout 5xx", service="payments", alert_id="a-1", **alert_fields)
    return engine.open_incident(policy, incident_id="INC-1", key="k1", alert=alert, now=T0)


def notifies(actions: list[Action], purpose: str | None = None) -> list[Notify]:
    return [a for a in actions if isinstance(a, Notify) and purpose in (None, a.purpose)]


def summary(actions: list[Action]) -> list[tuple[str, list[str]]]:
    """(purpose, recipient names) for each Notify, in order."""
    return [(n.purpose, [r.name for r in n.recipients]) for n in notifies(actions)]


def run_until(policy: Policy, state: IncidentState, end: datetime) -> list[tuple[datetime, Action]]:
    """A punctual workflow: wake at every deadline up to `end` and carry out what is due."""
    fired: list[tuple[datetime, Action]] = []
    while (deadline := engine.next_deadline(policy, state)) is not None and deadline.at <= end:
        fired += [(deadline.at, action) for action in engine.advance(policy, state, deadline.at)]
    return fired


def fired_for(fired: list[tuple[datetime, Action]], purpose: str) -> list[tuple[datetime, Notify]]:
    return [(when, a) for when, a in fired if isinstance(a, Notify) and a.purpose == purpose]


def acknowledge(policy: Policy, state: IncidentState, now: datetime, by: str = "alice") -> None:
    command = Acknowledge(by=by)
    assert verb_refusals.refusal(policy, state, command) is None
    verbs.apply(policy, state, command, now)


# --- opening -------------------------------------------------------------------------------


def test_opening_starts_the_sla_clocks(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    assert state.status == "triggered"
    assert state.severity == "critical"
    assert state.sla.ack_due == at(15)
    assert state.sla.resolve_due == at(hours=4)
    assert state.tier == 1
    assert state.alert_ids == ["a-1"]


def test_opening_pages_tier_1_until_someone_acknowledges(example_policy: Policy) -> None:
    _, actions = open_incident(example_policy)
    (page,) = notifies(actions, "page")
    assert [r.name for r in page.recipients] == ["Alice Ng"]
    assert page.audience == "responders"
    assert page.stops_on_ack is True
    assert page.recipients[0].channels == ["sms", "email"]
    assert page.facts.tier_name == "Tier 1 frontline"


def test_opening_tells_known_clients_and_informed_stakeholders(example_policy: Policy) -> None:
    _, actions = open_incident(example_policy, clients_affected=["globex", "acme"])
    assert summary(actions) == [
        ("page", ["Alice Ng"]),
        ("client_opened", ["ACME Corp", "Globex (Globex NOC)"]),
        ("stakeholder_opened", ["Frank Moreau (VP Customer Success)"]),
    ]


def test_client_opening_message_announces_the_next_update(example_policy: Policy) -> None:
    _, actions = open_incident(example_policy, clients_affected=["acme"])
    (opened,) = notifies(actions, "client_opened")
    assert opened.audience == "clients"
    assert opened.stops_on_ack is False
    assert opened.facts.next_update_due == at(30)
    assert opened.recipients[0].channels == ["email"]


def test_stakeholders_hear_by_email(example_policy: Policy) -> None:
    _, actions = open_incident(example_policy)
    (told,) = notifies(actions, "stakeholder_opened")
    assert told.audience == "stakeholders"
    assert told.recipients[0].channels == ["email"]


def test_unknown_client_is_warned_about_and_not_told(example_policy: Policy) -> None:
    state, actions = open_incident(example_policy, clients_affected=["acme", "initech"])
    (opened,) = notifies(actions, "client_opened")
    assert [r.name for r in opened.recipients] == ["ACME Corp"]
    warnings = [e.detail for e in state.timeline if e.kind == "warning"]
    assert warnings == ["client 'initech' is not in the policy; not notified"]


def test_opening_records_the_classification(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    assert [e.kind for e in state.timeline] == ["opened", "classified", "paged"]
    assert state.timeline[1].detail == "critical: category=data_breach -> critical"


def test_first_deadline_is_the_tier_1_window(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    assert engine.next_deadline(example_policy, state) == Deadline(
        at=at(10), kind="tier_window", summary="Tier 1 frontline ack window (10m)"
    )


# --- functional escalation -----------------------------------------------------------------


def test_nothing_happens_before_the_tier_window_ends(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    before = state.model_copy(deep=True)
    assert engine.advance(example_policy, state, at(10, seconds=-1)) == []
    assert state == before


def test_tier_2_is_paged_at_the_end_of_the_tier_1_window(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    actions = engine.advance(example_policy, state, at(10))
    assert summary(actions) == [("page", ["Bob Okafor"])]
    assert notifies(actions)[0].stops_on_ack
    assert state.tier == 2
    assert state.position.tier_since == at(10)


def test_tier_3_is_paged_at_25_minutes(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    pages = fired_for(run_until(example_policy, state, at(25)), "page")
    assert [(when, [r.name for r in n.recipients]) for when, n in pages] == [
        (at(10), ["Bob Okafor"]),
        (at(25), ["Carol Diaz", "Dave Kim"]),
    ]


def test_tiers_repeat_once_then_management(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    fired = run_until(example_policy, state, at(hours=1.5))
    pages = [(when, [r.name for r in n.recipients]) for when, n in fired_for(fired, "page")]
    assert pages == [
        (at(10), ["Bob Okafor"]),
        (at(25), ["Carol Diaz", "Dave Kim"]),
        (at(45), ["Alice Ng"]),
        (at(55), ["Bob Okafor"]),
        (at(70), ["Carol Diaz", "Dave Kim"]),
    ]
    ((when, escalation),) = fired_for(fired, "escalation")
    assert when == at(90)
    assert [r.name for r in escalation.recipients] == ["Erin Walsh (Head of Support)"]
    assert escalation.audience == "management"


def test_repeat_is_recorded_in_the_page_reason(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    run_until(example_policy, state, at(45))
    assert state.position.cycle == 1
    assert state.timeline[-1].kind == "paged"
    assert state.timeline[-1].detail.endswith("; repeat 1 of 1)")


def test_after_every_pass_the_tiers_are_exhausted(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    run_until(example_policy, state, at(90))
    assert state.position.exhausted is True
    assert state.position.management_engaged is True
    deadline = engine.next_deadline(example_policy, state)
    assert deadline is not None
    assert deadline.kind == "resolve_warning"


def test_no_more_pages_once_exhausted(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    run_until(example_policy, state, at(90))
    fired = run_until(example_policy, state, at(hours=10))
    assert fired_for(fired, "page") == []
    assert fired_for(fired, "escalation") == []


def test_without_repeat_management_follows_the_last_tier(example_policy: Policy) -> None:
    policy = example_policy.model_copy(update={"repeat": 0})
    state, _ = open_incident(policy)
    fired = run_until(policy, state, at(45))
    assert [when for when, _ in fired_for(fired, "escalation")] == [at(45)]
    assert state.position.exhausted


# --- acknowledgment SLA --------------------------------------------------------------------


def test_ack_sla_breach_at_15_minutes(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    engine.advance(example_policy, state, at(10))
    actions = engine.advance(example_policy, state, at(15))
    assert summary(actions) == [("ack_breach", ["Erin Walsh (Head of Support)"])]
    assert state.sla.ack_breached is True
    assert state.breaches == ["ack"]
    assert state.position.management_engaged is True
    assert any(e.kind == "sla_breach" for e in state.timeline)


def test_ack_sla_breach_fires_once(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    fired = run_until(example_policy, state, at(hours=3))
    assert len(fired_for(fired, "ack_breach")) == 1
    assert state.breaches == ["ack"]


def test_no_ack_breach_when_acknowledged_in_time(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    acknowledge(example_policy, state, at(5))
    fired = run_until(example_policy, state, at(hours=1))
    assert fired_for(fired, "ack_breach") == []
    assert state.breaches == []


# --- resolution SLA ------------------------------------------------------------------------


def test_resolution_warnings_at_50_75_and_90_percent(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    acknowledge(example_policy, state, at(5))
    fired = fired_for(run_until(example_policy, state, at(hours=3.9)), "resolve_warning")
    assert [(when, n.audience) for when, n in fired] == [
        (at(hours=2), "responders"),
        (at(hours=2), "management"),
        (at(hours=3), "responders"),
        (at(hours=3), "management"),
        (at(hours=3, minutes=36), "responders"),
        (at(hours=3, minutes=36), "management"),
    ]
    assert state.sla.warnings_sent == [0.5, 0.75, 0.9]


def test_resolution_warning_goes_to_the_current_owners(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    acknowledge(example_policy, state, at(5))
    fired = fired_for(run_until(example_policy, state, at(hours=2)), "resolve_warning")
    # tier 1 took it, tier 2 was consulted at 35m, tier 3 at 1h35m: tier 3 owns it now
    assert [r.name for r in fired[0][1].recipients] == ["Carol Diaz", "Dave Kim"]
    assert [r.name for r in fired[1][1].recipients] == ["Erin Walsh (Head of Support)"]
    assert fired[0][1].facts.text == "50% of the resolution SLA used; 2h left"


def test_several_warnings_due_at_once_send_only_one(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    acknowledge(example_policy, state, at(5))
    state.position.exhausted = True  # keep the ownership windows out of this test
    actions = engine.advance(example_policy, state, at(hours=3, minutes=40))
    warnings = notifies(actions, "resolve_warning")
    assert [n.audience for n in warnings] == ["responders", "management"]
    assert warnings[0].facts.text == "90% of the resolution SLA used; 20m left"
    assert state.sla.warnings_sent == [0.5, 0.75, 0.9]
    assert [e.kind for e in state.timeline].count("sla_warning") == 1


def test_resolution_breach_at_4_hours(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    acknowledge(example_policy, state, at(5))
    run_until(example_policy, state, at(hours=4, seconds=-1))
    assert not state.sla.resolve_breached
    actions = engine.advance(example_policy, state, at(hours=4))
    assert summary(actions) == [
        ("resolve_breach", ["Erin Walsh (Head of Support)"]),
        ("stakeholder_breach", ["Frank Moreau (VP Customer Success)"]),
    ]
    assert state.sla.resolve_breached is True
    assert state.breaches == ["resolve"]


def test_nothing_sla_related_after_the_resolution_breach(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    acknowledge(example_policy, state, at(5))
    run_until(example_policy, state, at(hours=4))
    assert engine.next_deadline(example_policy, state) is None


# --- client updates ------------------------------------------------------------------------


def test_critical_client_updates_every_30_minutes(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy, clients_affected=["acme"])
    fired = fired_for(run_until(example_policy, state, at(hours=1.5)), "client_update")
    assert [when for when, _ in fired] == [at(30), at(60), at(90)]
    assert fired[0][1].audience == "clients"
    assert fired[0][1].facts.text == "We are still investigating."
    assert fired[0][1].facts.next_update_due == at(60)


def test_client_update_names_whoever_has_it(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy, clients_affected=["acme"])
    acknowledge(example_policy, state, at(5))
    (update,) = notifies(engine.advance(example_policy, state, at(35)), "client_update")
    assert update.facts.text == "Our team (alice) is working on it."


def test_any_client_message_restarts_the_cadence(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy, clients_affected=["acme"])
    command = PostUpdate(by="alice", message="Failover in progress")
    verbs.apply(example_policy, state, command, at(20))
    assert state.last_client_update_at == at(20)
    fired = fired_for(run_until(example_policy, state, at(55)), "client_update")
    assert [when for when, _ in fired] == [at(50)]


def test_acknowledging_tells_clients_and_restarts_the_cadence(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy, clients_affected=["acme"])
    acknowledge(example_policy, state, at(12))
    fired = fired_for(run_until(example_policy, state, at(45)), "client_update")
    assert [when for when, _ in fired] == [at(42)]


def test_no_client_updates_without_affected_clients(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    assert fired_for(run_until(example_policy, state, at(hours=5)), "client_update") == []
    assert state.last_client_update_at is None


def test_no_client_updates_when_only_unknown_clients(example_policy: Policy) -> None:
    state, actions = open_incident(example_policy, clients_affected=["initech"])
    assert notifies(actions, "client_opened") == []
    assert fired_for(run_until(example_policy, state, at(hours=5)), "client_update") == []


def test_no_client_updates_when_the_severity_has_no_cadence(example_policy: Policy) -> None:
    state, actions = open_incident(example_policy, category=None, clients_affected=["acme"])
    assert state.severity == "medium"
    assert len(notifies(actions, "client_opened")) == 1
    assert fired_for(run_until(example_policy, state, at(hours=30)), "client_update") == []


# --- ownership once acknowledged -----------------------------------------------------------


def test_acknowledged_incident_stops_the_ack_clocks(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    acknowledge(example_policy, state, at(5))
    assert engine.next_deadline(example_policy, state) == Deadline(
        at=at(35), kind="ownership_window", summary="Tier 1 frontline resolution window (30m)"
    )


def test_ownership_window_consults_tier_2(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    acknowledge(example_policy, state, at(5))
    assert engine.advance(example_policy, state, at(35, seconds=-1)) == []
    actions = engine.advance(example_policy, state, at(35))
    assert summary(actions) == [("consult", ["Bob Okafor"])]
    assert notifies(actions)[0].stops_on_ack is False
    assert state.status == "acknowledged"
    assert state.tier == 2
    assert state.timeline[-1].kind == "consulted"


def test_ownership_passes_through_every_tier_then_management(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy)
    acknowledge(example_policy, state, at(5))
    fired = run_until(example_policy, state, at(hours=2))
    steps = [
        (when, a.purpose, [r.name for r in a.recipients])
        for when, a in fired
        if isinstance(a, Notify) and a.purpose in ("consult", "escalation")
    ]
    assert steps == [
        (at(35), "consult", ["Bob Okafor"]),
        (at(95), "consult", ["Carol Diaz", "Dave Kim"]),
        (at(115), "escalation", ["Erin Walsh (Head of Support)"]),
    ]
    assert state.position.exhausted
    assert state.position.management_engaged


# --- the end -------------------------------------------------------------------------------


def resolve(policy: Policy, state: IncidentState, now: datetime) -> list[Action]:
    command = Resolve(by="alice", cause="expired cert", resolution="rotated cert")
    assert verb_refusals.refusal(policy, state, command) is None
    return verbs.apply(policy, state, command, now)


def test_nothing_is_due_after_resolution(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy, clients_affected=["acme"])
    resolve(example_policy, state, at(20))
    assert state.status == "resolved"  # critical: waits for its review
    assert engine.next_deadline(example_policy, state) is None
    assert engine.advance(example_policy, state, at(hours=100)) == []


def test_nothing_is_due_after_closing(example_policy: Policy) -> None:
    state, _ = open_incident(example_policy, category=None, severity="low")
    resolve(example_policy, state, at(20))
    assert state.status == "closed"
    assert engine.next_deadline(example_policy, state) is None
    assert engine.advance(example_policy, state, at(hours=100)) == []
