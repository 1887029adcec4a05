"""Operator verbs: why each is refused, and what it does when accepted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from escalation import engine, verb_refusals, verbs
from escalation.actions import Action, BeginReview, Notify
from escalation.alerts import Alert
from escalation.commands import (
    VERBS,
    Acknowledge,
    AddNote,
    ChangeSeverity,
    Escalate,
    MalformedCommand,
    PostUpdate,
    Reopen,
    Resolve,
    StartReview,
    example_argument,
    parse_command,
)
from escalation.incident import IncidentState
from escalation.policy import Policy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ERIN = "Erin Walsh (Head of Support)"


def at(minutes: float = 0, *, hours: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes)


def open_incident(policy: Policy, **alert_fields: Any) -> IncidentState:
    """A critical incident (data breach) unless the alert says otherwise."""
    alert_fields.setdefault("category", "data_breach")
    alert_fields.setdefault("alert_id", "a-1")
    alert = Alert(title="checkout 5xx", service="payments", **alert_fields)
    state, _ = engine.open_incident(policy, incident_id="INC-1", key="k1", alert=alert, now=T0)
    return state


def do(policy: Policy, state: IncidentState, command: BaseModel, now: datetime) -> list[Action]:
    """Apply a verb that must be accepted."""
    assert verb_refusals.refusal(policy, state, command) is None
    return verbs.apply(policy, state, command, now)


def refused(policy: Policy, state: IncidentState, command: BaseModel) -> str:
    reason = verb_refusals.refusal(policy, state, command)
    assert reason is not None, f"{command!r} was accepted"
    return reason


def notifies(actions: list[Action]) -> list[tuple[str, list[str]]]:
    return [(a.purpose, [r.name for r in a.recipients]) for a in actions if isinstance(a, Notify)]


def resolve_command(by: str = "alice") -> Resolve:
    return Resolve(by=by, cause="expired cert", resolution="rotated cert")


# --- acknowledge ---------------------------------------------------------------------------


def test_acknowledge_takes_ownership(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Acknowledge(by="alice", note="looking"), at(5))
    assert state.status == "acknowledged"
    assert state.acknowledged_by == "alice"
    assert state.acknowledged_at == at(5)
    assert state.position.tier_since == at(5)
    assert state.timeline[-1].detail == "looking"
    assert state.breaches == []


def test_acknowledge_twice_is_refused(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Acknowledge(by="alice"), at(5))
    assert refused(example_policy, state, Acknowledge(by="bob")) == "already acknowledged by alice"


def test_late_acknowledgment_records_the_ack_breach(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Acknowledge(by="bob"), at(20))
    assert state.sla.ack_breached is True
    assert state.breaches == ["ack"]
    assert "sla_breach" in [e.kind for e in state.timeline]


def test_late_acknowledgment_after_the_timer_breach_is_not_counted_twice(
    example_policy: Policy,
) -> None:
    state = open_incident(example_policy)
    engine.advance(example_policy, state, at(16))
    do(example_policy, state, Acknowledge(by="bob"), at(20))
    assert state.breaches == ["ack"]


def test_acknowledge_tells_clients(example_policy: Policy) -> None:
    state = open_incident(example_policy, clients_affected=["acme"])
    actions = do(example_policy, state, Acknowledge(by="alice"), at(5))
    assert notifies(actions) == [("client_update", ["ACME Corp"])]
    assert actions[0].facts.text == "Our team has acknowledged the incident."  # type: ignore[union-attr]
    assert state.last_client_update_at == at(5)


def test_acknowledge_without_clients_sends_nothing(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    assert do(example_policy, state, Acknowledge(by="alice"), at(5)) == []


def test_acknowledge_after_exhaustion_starts_the_ownership_window(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    while not state.position.exhausted:  # every tier paged twice, then management (at 90m)
        deadline = engine.next_deadline(example_policy, state)
        assert deadline is not None
        engine.advance(example_policy, state, deadline.at)
    do(example_policy, state, Acknowledge(by="carol"), at(91))
    assert state.position.exhausted is False
    deadline = engine.next_deadline(example_policy, state)
    assert deadline is not None
    assert (deadline.kind, deadline.at) == ("ownership_window", at(111))  # tier 3 owns it: 20m


# --- escalate ------------------------------------------------------------------------------


def test_escalate_to_tier_3(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    actions = do(example_policy, state, Escalate(by="alice", reason="needs DBA", to_tier=3), at(2))
    assert notifies(actions) == [("page", ["Carol Diaz", "Dave Kim"])]
    assert state.tier == 3
    assert state.position.tier_since == at(2)
    assert state.timeline[-2].kind == "escalation_requested"
    assert "escalated by alice: needs DBA" in state.timeline[-1].detail


def test_escalate_while_acknowledged_consults(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Acknowledge(by="alice"), at(1))
    actions = do(example_policy, state, Escalate(by="alice", reason="needs DBA"), at(2))
    assert notifies(actions) == [("consult", ["Bob Okafor"])]
    assert state.status == "acknowledged"


def test_escalate_to_management(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    command = Escalate(by="alice", reason="ownership unclear", to_tier="management")
    actions = do(example_policy, state, command, at(2))
    assert notifies(actions) == [("escalation", [ERIN])]
    assert state.position.management_engaged is True
    assert state.tier == 1


def test_escalate_to_management_twice_is_refused(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    command = Escalate(by="alice", reason="ownership unclear", to_tier="management")
    do(example_policy, state, command, at(2))
    assert refused(example_policy, state, command) == "management is already engaged"


@pytest.mark.parametrize("tier", [0, 4, -1])
def test_escalate_to_a_tier_out_of_range_is_refused(example_policy: Policy, tier: int) -> None:
    state = open_incident(example_policy)
    reason = refused(example_policy, state, Escalate(by="alice", reason="x", to_tier=tier))
    assert reason == f"there is no tier {tier} (tiers are 1 to 3)"


def test_escalate_to_the_same_tier_is_refused(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    reason = refused(example_policy, state, Escalate(by="alice", reason="x", to_tier=1))
    assert reason == "tier 1 (Tier 1 frontline) already has the incident"


def test_escalate_without_a_tier_goes_to_the_next(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    actions = do(example_policy, state, Escalate(by="alice", reason="x"), at(2))
    assert notifies(actions) == [("page", ["Bob Okafor"])]
    assert state.tier == 2


def test_escalate_at_the_last_tier_goes_to_management(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Escalate(by="alice", reason="x", to_tier=3), at(2))
    actions = do(example_policy, state, Escalate(by="carol", reason="stuck"), at(3))
    assert notifies(actions) == [("escalation", [ERIN])]
    assert state.tier == 3
    assert state.position.management_engaged


def test_escalate_at_the_last_tier_is_refused_once_management_is_engaged(
    example_policy: Policy,
) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Escalate(by="alice", reason="x", to_tier=3), at(2))
    do(example_policy, state, Escalate(by="carol", reason="stuck"), at(3))
    reason = refused(example_policy, state, Escalate(by="carol", reason="still stuck"))
    assert reason == "management is already engaged"


def test_escalate_back_down_a_tier_is_allowed(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Escalate(by="alice", reason="x", to_tier=3), at(2))
    actions = do(example_policy, state, Escalate(by="carol", reason="app bug", to_tier=2), at(3))
    assert notifies(actions) == [("page", ["Bob Okafor"])]


# --- change_severity -----------------------------------------------------------------------


def test_change_to_an_unknown_severity_is_refused(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    reason = refused(example_policy, state, ChangeSeverity(by="alice", severity="urgent"))
    assert reason == "unknown severity 'urgent' (one of: critical, high, medium, low)"


def test_change_to_the_same_severity_is_refused(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    reason = refused(example_policy, state, ChangeSeverity(by="alice", severity="critical"))
    assert reason == "severity is already critical"


def test_change_severity_recomputes_the_slas_from_the_opening(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(
        example_policy,
        state,
        ChangeSeverity(by="alice", severity="high", reason="one region"),
        at(20),
    )
    assert state.severity == "high"
    assert state.sla.ack_due == at(30)
    assert state.sla.resolve_due == at(hours=8)
    assert state.timeline[-1].detail == "critical -> high: one region"


def test_change_severity_without_a_reason(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, ChangeSeverity(by="alice", severity="low"), at(20))
    assert state.timeline[-1].detail == "critical -> low"


def test_change_severity_resets_the_warnings(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Acknowledge(by="alice"), at(1))
    state.position.exhausted = True
    engine.advance(example_policy, state, at(hours=2))
    assert state.sla.warnings_sent == [0.5]
    do(example_policy, state, ChangeSeverity(by="alice", severity="high"), at(hours=2.5))
    assert state.sla.warnings_sent == []
    deadline = engine.next_deadline(example_policy, state)
    assert deadline is not None
    assert (deadline.kind, deadline.at) == ("resolve_warning", at(hours=4))


def test_change_severity_after_a_reopen_counts_from_the_reopening(
    example_policy: Policy,
) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, resolve_command(), at(20))
    do(example_policy, state, Reopen(by="alice", reason="errors are back"), at(hours=2))
    do(example_policy, state, ChangeSeverity(by="alice", severity="high"), at(hours=2, minutes=5))
    assert state.sla.ack_due == at(hours=2, minutes=30)
    assert state.sla.resolve_due == at(hours=10)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (Escalate(by="alice", reason="x"), "incident is resolved; reopen it first"),
        (ChangeSeverity(by="alice", severity="low"), "incident is resolved"),
    ],
)
def test_escalating_or_changing_severity_of_a_resolved_incident_is_refused(
    example_policy: Policy, command: BaseModel, expected: str
) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, resolve_command(), at(5))
    assert refused(example_policy, state, command) == expected


# --- resolve -------------------------------------------------------------------------------


def test_resolve_records_the_resolution(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    command = Resolve(
        by="alice",
        cause="expired cert",
        resolution="rotated cert",
        preventive_measures=["alert 14 days before expiry"],
    )
    do(example_policy, state, command, at(30))
    assert state.resolved_by == "alice"
    assert state.resolved_at == at(30)
    assert state.resolution is not None
    assert state.resolution.preventive_measures == ["alert 14 days before expiry"]
    assert state.status == "resolved"


def test_resolve_twice_is_refused(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, resolve_command("alice"), at(5))
    assert refused(example_policy, state, resolve_command("bob")) == "already resolved by alice"


def test_late_resolve_records_the_resolution_breach(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Acknowledge(by="alice"), at(5))
    do(example_policy, state, resolve_command(), at(hours=5))
    assert state.sla.resolve_breached is True
    assert state.breaches == ["resolve"]


def test_late_resolve_after_the_timer_breach_is_not_counted_twice(
    example_policy: Policy,
) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Acknowledge(by="alice"), at(5))
    engine.advance(example_policy, state, at(hours=4))
    do(example_policy, state, resolve_command(), at(hours=5))
    assert state.breaches == ["resolve"]


def test_resolve_tells_clients_and_stakeholders(example_policy: Policy) -> None:
    state = open_incident(example_policy, clients_affected=["acme"])
    actions = do(example_policy, state, resolve_command(), at(5))
    assert notifies(actions) == [
        ("client_resolved", ["ACME Corp"]),
        ("stakeholder_resolved", ["Frank Moreau (VP Customer Success)"]),
    ]
    client_message = actions[0]
    assert isinstance(client_message, Notify)
    assert client_message.facts.next_update_due is None
    assert client_message.facts.resolution is not None


def test_resolve_with_a_required_review_begins_it(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    actions = do(example_policy, state, resolve_command(), at(5))
    assert actions[-1] == BeginReview(owner=None)
    assert state.status == "resolved"
    assert state.closed_at is None


def test_resolve_without_a_review_closes_at_once(example_policy: Policy) -> None:
    state = open_incident(example_policy, category=None, severity="low")
    actions = do(example_policy, state, resolve_command(), at(5))
    assert not any(isinstance(a, BeginReview) for a in actions)
    assert state.status == "closed"
    assert state.closed_at == at(5)
    assert state.timeline[-1].detail == "no review needed (review: none)"


def test_resolve_with_an_optional_review_closes_when_none_was_asked(
    example_policy: Policy,
) -> None:
    state = open_incident(example_policy, category=None)
    assert state.severity == "medium"
    do(example_policy, state, resolve_command(), at(5))
    assert state.status == "closed"


# --- reopen --------------------------------------------------------------------------------


@pytest.mark.parametrize("acknowledged", [False, True])
def test_reopen_is_refused_unless_resolved(example_policy: Policy, acknowledged: bool) -> None:
    state = open_incident(example_policy)
    if acknowledged:
        do(example_policy, state, Acknowledge(by="alice"), at(1))
    reason = refused(example_policy, state, Reopen(by="alice", reason="x"))
    assert reason == f"only a resolved incident can be reopened; this one is {state.status}"


def test_reopen_resets_the_clocks_and_pages_tier_1(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, Escalate(by="alice", reason="x", to_tier="management"), at(1))
    do(example_policy, state, Acknowledge(by="alice"), at(5))
    engine.advance(example_policy, state, at(35))  # tier 2 consulted
    do(example_policy, state, resolve_command(), at(hours=5))
    actions = do(example_policy, state, Reopen(by="alice", reason="errors are back"), at(hours=6))
    assert notifies(actions) == [("page", ["Alice Ng"])]
    assert state.status == "triggered"
    assert state.tier == 1
    assert state.position.tier_since == at(hours=6)
    assert state.position.management_engaged is False
    assert state.acknowledged_by is None
    assert state.resolved_by is None
    assert state.resolution is None
    assert state.sla.ack_due == at(hours=6, minutes=15)
    assert state.sla.resolve_due == at(hours=10)
    assert state.sla.resolve_breached is False
    assert state.sla.warnings_sent == []
    assert state.breaches == ["resolve"]  # the history of the first cycle stays
    deadline = engine.next_deadline(example_policy, state)
    assert deadline is not None
    assert (deadline.kind, deadline.at) == ("tier_window", at(hours=6, minutes=10))


# --- start_review --------------------------------------------------------------------------


def test_start_review_while_open_records_the_owner(example_policy: Policy) -> None:
    state = open_incident(example_policy, category=None)
    actions = do(example_policy, state, StartReview(by="alice", owner="bob"), at(5))
    assert actions == []
    assert state.review_owner == "bob"


def test_start_review_defaults_the_owner_to_the_services_review_owner(
    example_policy: Policy,
) -> None:
    """Not the requester: `by` is often a login name nobody can be emailed at."""
    state = open_incident(example_policy, category=None)
    do(example_policy, state, StartReview(by="jdoe"), at(5))
    assert state.review_owner == "bob"  # reviews.owners.payments


def test_start_review_twice_while_open_is_refused(example_policy: Policy) -> None:
    state = open_incident(example_policy, category=None)
    do(example_policy, state, StartReview(by="alice", owner="bob"), at(5))
    reason = refused(example_policy, state, StartReview(by="carol"))
    assert reason == "a review is already requested (owner bob)"


def test_requested_review_begins_on_resolving_an_optional_review(
    example_policy: Policy,
) -> None:
    state = open_incident(example_policy, category=None)
    assert example_policy.severity(state.severity).review == "optional"
    do(example_policy, state, StartReview(by="alice", owner="bob"), at(5))
    actions = do(example_policy, state, resolve_command(), at(10))
    assert actions[-1] == BeginReview(owner="bob")
    assert state.status == "resolved"


def test_start_review_on_a_resolved_incident_begins_it(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, resolve_command(), at(5))
    actions = do(example_policy, state, StartReview(by="alice", owner="erin"), at(10))
    assert actions == [BeginReview(owner="erin")]


def test_start_review_once_started_is_refused(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, resolve_command(), at(5))
    state.review_workflow_id = "review-INC-1"
    reason = refused(example_policy, state, StartReview(by="alice"))
    assert reason == "the review has already started (review-INC-1)"


# --- new_alert -----------------------------------------------------------------------------


def new_alert(**fields: Any) -> Alert:
    return Alert(title="checkout 5xx again", service="payments", **fields)


def test_new_alert_is_counted(example_policy: Policy) -> None:
    state = open_incident(example_policy, category=None)
    do(example_policy, state, new_alert(alert_id="a-2"), at(5))
    do(example_policy, state, new_alert(), at(6))
    assert state.alerts_received == 3
    assert state.alert_ids == ["a-1", "a-2"]
    assert state.timeline[-1].detail == "checkout 5xx again (alert #3)"


def test_new_alert_merges_the_impact(example_policy: Policy) -> None:
    state = open_incident(
        example_policy, category=None, clients_affected=["acme"], users_affected=5
    )
    do(example_policy, state, new_alert(clients_affected=["initech"], users_affected=3), at(5))
    assert state.clients_affected == ["acme", "initech"]
    assert state.users_affected == 5


def test_an_alert_already_seen_is_ignored(example_policy: Policy) -> None:
    state = open_incident(example_policy, category=None)
    before = state.model_copy(deep=True)
    assert do(example_policy, state, new_alert(alert_id="a-1", users_affected=500), at(5)) == []
    assert state == before


def test_a_redelivered_alert_is_counted_once(example_policy: Policy) -> None:
    state = open_incident(example_policy, category=None)
    do(example_policy, state, new_alert(alert_id="a-2"), at(5))
    do(example_policy, state, new_alert(alert_id="a-2"), at(6))
    assert state.alerts_received == 2


def test_new_alert_raises_the_severity_when_the_impact_grows(example_policy: Policy) -> None:
    state = open_incident(example_policy, category=None, clients_affected=["acme"])
    assert state.severity == "medium"
    do(example_policy, state, new_alert(clients_affected=["globex"]), at(5))
    assert state.severity == "critical"
    assert state.sla.ack_due == at(15)
    assert state.sla.resolve_due == at(hours=4)
    assert state.timeline[-1].kind == "severity_changed"
    assert state.timeline[-1].actor == "escalation"
    assert state.timeline[-1].detail == (
        "medium -> critical: new alert: clients_affected_at_least=2 -> critical"
    )


def test_new_alert_never_lowers_the_severity(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, new_alert(severity="low"), at(5))
    assert state.severity == "critical"


def test_new_alert_on_a_resolved_incident_is_recorded_as_ignored(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    do(example_policy, state, resolve_command(), at(5))
    do(example_policy, state, new_alert(alert_id="a-9"), at(6))
    assert state.alerts_received == 1
    assert state.timeline[-1].kind == "alert_ignored"


def test_new_alert_on_a_closed_incident_is_recorded_as_ignored(example_policy: Policy) -> None:
    state = open_incident(example_policy, category=None, severity="low")
    do(example_policy, state, resolve_command(), at(5))
    assert state.status == "closed"
    do(example_policy, state, new_alert(source="prometheus"), at(6))
    entry = state.timeline[-1]
    assert (entry.kind, entry.actor) == ("alert_ignored", "prometheus")
    assert entry.detail == "checkout 5xx again (incident already closed)"
    assert state.alerts_received == 1


# --- closed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        Acknowledge(by="alice"),
        Escalate(by="alice", reason="x"),
        Escalate(by="alice", reason="x", to_tier="management"),
        AddNote(by="alice", text="late note"),
        PostUpdate(by="alice", message="all good"),
        ChangeSeverity(by="alice", severity="critical"),
        resolve_command(),
        Reopen(by="alice", reason="x"),
        StartReview(by="alice"),
    ],
    ids=lambda command: type(command).__name__,
)
def test_every_verb_on_a_closed_incident_is_refused(
    example_policy: Policy, command: BaseModel
) -> None:
    state = open_incident(example_policy, category=None, severity="low")
    do(example_policy, state, resolve_command(), at(5))
    assert (
        refused(example_policy, state, command) == "incident is closed (since 2026-03-02 09:05 UTC)"
    )


def test_add_note_is_recorded_and_sends_nothing(example_policy: Policy) -> None:
    state = open_incident(example_policy, clients_affected=["acme"])
    assert do(example_policy, state, AddNote(by="alice", text="failover started"), at(5)) == []
    assert (state.timeline[-1].kind, state.timeline[-1].detail) == ("note", "failover started")


def test_post_update_reaches_clients_with_the_eta(example_policy: Policy) -> None:
    state = open_incident(example_policy, clients_affected=["acme"])
    command = PostUpdate(by="alice", message="Fix deploying", eta=at(hours=1))
    actions = do(example_policy, state, command, at(5))
    (update,) = actions
    assert isinstance(update, Notify)
    assert (update.purpose, update.facts.text, update.facts.eta) == (
        "client_update",
        "Fix deploying",
        at(hours=1),
    )
    assert state.timeline[-1].detail == "Fix deploying (ETA 2026-03-02 10:00 UTC)"


# --- parse_command -------------------------------------------------------------------------


def parse_error(verb: str, payload: object) -> str:
    with pytest.raises(MalformedCommand) as caught:
        parse_command(verb, payload)
    return str(caught.value)


def test_parse_command_builds_the_verb() -> None:
    command = parse_command("escalate", {"by": "alice", "reason": "needs DBA", "to_tier": 3})
    assert command == Escalate(by="alice", reason="needs DBA", to_tier=3)


def test_parse_command_strips_whitespace() -> None:
    assert parse_command("acknowledge", {"by": "  alice "}) == Acknowledge(by="alice")


def test_parse_command_accepts_a_new_alert() -> None:
    command = parse_command("new_alert", {"title": "checkout 5xx", "service": "payments"})
    assert isinstance(command, Alert)


def test_parse_command_refuses_a_non_object() -> None:
    assert parse_error("acknowledge", "alice").startswith("argument: ")


def test_parse_command_refuses_a_missing_actor() -> None:
    assert parse_error("acknowledge", {"note": "looking"}) == "by: Field required"


def test_parse_command_refuses_an_empty_actor() -> None:
    assert parse_error("acknowledge", {"by": " "}).startswith("by: ")


def test_parse_command_refuses_an_unknown_key() -> None:
    assert parse_error("acknowledge", {"by": "alice", "colour": "red"}) == (
        "colour: Extra inputs are not permitted"
    )


def test_parse_command_reports_every_problem() -> None:
    message = parse_error("resolve", {"by": "alice"})
    assert message == "cause: Field required; resolution: Field required"


@pytest.mark.parametrize("verb", ["acknowledge", "escalate", "resolve", "new_alert"])
def test_parse_command_without_an_argument_shows_an_example(verb: str) -> None:
    message = parse_error(verb, None)
    assert message == f"{verb} takes one JSON object, e.g. {example_argument(verb)}"


@pytest.mark.parametrize("verb", list(VERBS))
def test_every_example_argument_parses(verb: str) -> None:
    assert isinstance(parse_command(verb, json.loads(example_argument(verb))), VERBS[verb])


# -- a long incident's log stays within one continue-as-new payload ---------------------------


def test_repeated_alerts_past_a_hundred_are_logged_once_per_hundred(example_policy: Policy) -> None:
    state = open_incident(example_policy, category="outage", users_affected=5)
    for n in range(2, 351):
        do(example_policy, state, Alert(title="disk full", service="db", alert_id=f"a-{n}"), at(n))
    assert state.alerts_received == 350
    alerts = [e.detail for e in state.timeline if e.kind == "alert"]
    assert len(alerts) == 99 + 2  # alerts #2-#100 (#1 opened it), then every hundredth
    assert alerts[98] == "disk full (alert #100)"
    assert alerts[99:] == [
        "disk full (alert #200; #101-#199 counted)",
        "disk full (alert #300; #201-#299 counted)",
    ]


def test_notes_and_updates_are_refused_once_the_log_is_full(example_policy: Policy) -> None:
    state = open_incident(example_policy)
    note = AddNote(by="alice", text="x" * 10_000)
    accepted = 0
    while verb_refusals.refusal(example_policy, state, note) is None:
        verbs.apply(example_policy, state, note, at(1))
        accepted += 1
    assert 95 <= accepted <= 100
    assert refused(example_policy, state, note) == (
        "the incident's log is full (1,000,000 characters); "
        "put the rest in a linked document or open a follow-up incident"
    )
    assert refused(example_policy, state, PostUpdate(by="alice", message="y" * 10_000)).startswith(
        "the incident's log is full"
    )
    assert len(state.model_dump_json()) < 1_200_000
    assert verb_refusals.refusal(example_policy, state, AddNote(by="alice", text="short")) is None


def test_a_verb_names_the_channel_it_came_through(example_policy: Policy) -> None:
    """An acknowledgment sent from an SMS reply reads `by alice via SMS reply`; others do not."""
    state = open_incident(example_policy)
    do(example_policy, state, AddNote(by="bob", text="looking"), at(1))
    do(example_policy, state, Acknowledge(by="alice", via="SMS reply"), at(2))
    ack = [entry for entry in state.timeline if entry.kind == "acknowledged"]
    note = [entry for entry in state.timeline if entry.kind == "note"]
    assert [entry.attribution for entry in ack] == ["alice via SMS reply"]
    assert [entry.attribution for entry in note] == ["bob"]
    assert all(entry.via is None for entry in state.timeline if entry.actor != "alice")
