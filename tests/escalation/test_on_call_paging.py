"""Paging a schedule in the pure engine, and the override rules, on a fixed clock.

The workflow asks who is on call (`AskOnCall`) and hands the answer to `page_on_call`; these
tests play the workflow's part with answers written by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from escalation import engine, verbs
from escalation.actions import Action, AskOnCall, Notify
from escalation.alerts import Alert
from escalation.commands import Acknowledge, Reopen, Resolve
from escalation.incident import IncidentState
from escalation.on_call_models import OnCallAnswer
from escalation.on_call_overrides import (
    RemoveOverride,
    SetOverride,
    new_override,
    remove_refusal,
    set_refusal,
    still_current,
)
from escalation.on_call_paging import page_on_call
from escalation.policy import Policy
from escalation.policy_loader import load_policy
from tests.conftest import EXAMPLE_FILE

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def example_policy() -> Policy:
    """The example as users get it: its tiers name schedules."""
    return load_policy(EXAMPLE_FILE)


def with_tiers(policy: Policy, *tiers: dict) -> Policy:
    data = policy.model_dump(mode="json") | {"tiers": list(tiers)}
    return Policy.model_validate(data)


def opened(policy: Policy) -> tuple[IncidentState, AskOnCall]:
    alert = Alert(title="checkout 5xx", service="payments", category="data_breach")
    state, actions = engine.open_incident(
        policy, incident_id="INC-1", key="k1", alert=alert, now=T0, pages_schedules=True
    )
    (ask,) = [a for a in actions if isinstance(a, AskOnCall)]
    return state, ask


def answer(who: str | None) -> OnCallAnswer:
    return OnCallAnswer(schedule="primary", who=who, source="weekly" if who else None)


def paged(actions: list[Action]) -> list[str]:
    return [r.name for a in actions if isinstance(a, Notify) for r in a.recipients]


def test_a_tier_pages_its_contacts_and_whoever_is_on_call(example_policy: Policy) -> None:
    state, ask = opened(example_policy)
    assert (ask.tier_index, ask.schedule, ask.purpose) == (0, "primary", "page")
    assert not [e for e in state.timeline if e.kind == "paged"]  # not before the answer
    actions = page_on_call(example_policy, state, ask, answer("bob"), T0)
    assert paged(actions) == ["Alice Ng", "Bob Okafor"]
    assert state.timeline[-1].detail == (
        "Tier 1 frontline: alice, bob (on call for primary) (new incident)"
    )
    assert state.reach.people == {0: ["alice", "bob"]}


def test_the_on_call_contact_is_paged_once(example_policy: Policy) -> None:
    state, ask = opened(example_policy)
    actions = page_on_call(example_policy, state, ask, answer("alice"), T0)
    assert paged(actions) == ["Alice Ng"]
    assert state.timeline[-1].detail.startswith("Tier 1 frontline: alice (on call for primary)")


def test_an_answer_after_the_acknowledgment_pages_nobody(example_policy: Policy) -> None:
    state, ask = opened(example_policy)
    verbs.apply(example_policy, state, Acknowledge(by="alice"), T0 + timedelta(seconds=1))
    before = len(state.timeline)
    assert page_on_call(example_policy, state, ask, answer("bob"), T0) == []
    assert len(state.timeline) == before


def test_nobody_on_the_last_tier_leaves_its_window_to_those_paged_before(
    example_policy: Policy,
) -> None:
    policy = with_tiers(
        example_policy,
        {"name": "One", "contacts": ["alice"], "escalate_after": "10m"},
        {"name": "Two", "schedule": "primary", "escalate_after": "10m"},
    )
    alert = Alert(title="x", service="payments")
    state, _ = engine.open_incident(
        policy, incident_id="I", key="k", alert=alert, now=T0, pages_schedules=True
    )
    (ask,) = [a for a in engine.advance(policy, state, T0 + timedelta(minutes=10))]
    assert isinstance(ask, AskOnCall) and ask.tier_index == 1
    assert page_on_call(policy, state, ask, answer(None), T0 + timedelta(minutes=10)) == []
    assert state.timeline[-1].kind == "nobody_on_call"
    assert (state.position.tier_index, state.position.exhausted) == (1, False)


def test_after_a_reopen_nobody_on_the_last_tier_engages_management_at_once(
    example_policy: Policy,
) -> None:
    """The reach before the reopen does not count: the reopened cycle 0 has reached nobody."""
    policy = with_tiers(
        example_policy, {"name": "Only", "schedule": "primary", "escalate_after": "10m"}
    )
    alert = Alert(title="x", service="payments")
    state, actions = engine.open_incident(
        policy, incident_id="I", key="k", alert=alert, now=T0, pages_schedules=True
    )
    (ask,) = [a for a in actions if isinstance(a, AskOnCall)]
    page_on_call(policy, state, ask, answer("bob"), T0)
    later = T0 + timedelta(minutes=5)
    verbs.apply(policy, state, Resolve(by="bob", cause="disk", resolution="rotated"), later)
    actions = verbs.apply(policy, state, Reopen(by="bob", reason="back"), later)
    (ask,) = [a for a in actions if isinstance(a, AskOnCall)]
    assert ask.cycle == 0
    escalated = page_on_call(policy, state, ask, answer(None), later)
    assert state.position.management_engaged and state.position.exhausted
    assert state.timeline[-1].tier == "management"
    assert {a.audience for a in escalated if isinstance(a, Notify)} == {"management"}


def test_an_override_needs_a_policy_contact_and_a_future_end(example_policy: Policy) -> None:
    contacts = list(example_policy.contacts)
    cover = SetOverride.model_validate(
        {"who": "mallory", "from": T0, "to": T0 + timedelta(hours=1)}
    )
    assert "'mallory' is not a contact" in (set_refusal(cover, "primary", T0, contacts) or "")
    past = cover.model_copy(update={"who": "carol"})
    assert "already past" in (set_refusal(past, "primary", T0 + timedelta(hours=2), contacts) or "")
    assert set_refusal(past, "primary", T0, contacts) is None


def test_the_newest_override_is_newer_even_within_one_instant() -> None:
    cover = SetOverride.model_validate({"who": "carol", "from": T0, "to": T0 + timedelta(hours=1)})
    first = new_override(cover, "primary", "o-1", T0, [])
    second = new_override(cover.model_copy(update={"who": "dave"}), "primary", "o-2", T0, [first])
    assert second.set_at > first.set_at
    assert still_current([first, second], T0 + timedelta(hours=1)) == []
    assert remove_refusal(RemoveOverride(id="o-3"), [first, second]) == (
        "no override 'o-3' (current: o-1, o-2)"
    )
