"""Random sequences of valid verbs and passing time against the pure engine (example policy).

Each step lets time pass (the engine advances to `now`, as the workflow does on every wake),
then tries one verb: refused verbs change nothing, allowed ones apply. After every step:

- the status is one of the four;
- `acknowledged_by` is set exactly when the incident is acknowledged, or resolved/closed after
  an acknowledgment in the current cycle (a reopen starts a new cycle);
- `resolved_by` is set exactly when the incident is resolved or closed;
- a closed incident stays closed;
- the tier is a tier of the policy;
- after advance(now) no deadline is due at or before now;
- timeline timestamps never go backwards, and none is in the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from escalation import engine, verb_refusals, verbs
from escalation.actions import BeginReview
from escalation.alerts import Alert
from escalation.commands import (
    Acknowledge,
    AddNote,
    ChangeSeverity,
    Escalate,
    PostUpdate,
    Reopen,
    Resolve,
    StartReview,
)
from escalation.incident import IncidentState
from escalation.policy_loader import load_policy
from tests.conftest import EXAMPLE_POLICY
from tests.fuzz.support import fuzz_settings

POLICY = load_policy(EXAMPLE_POLICY)
OPENED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
STATUSES = {"triggered", "acknowledged", "resolved", "closed"}

actors = st.sampled_from(["alice", "bob", "carol", "erin"]) | st.text(
    min_size=1, max_size=30
).filter(lambda s: s.strip())
texts = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())
severities = st.sampled_from([*POLICY.severities, "sev0"])
alerts = st.builds(
    Alert,
    title=texts,
    service=st.sampled_from(["payments", "search"]),
    severity=st.none() | severities,
    category=st.none() | st.sampled_from(["outage", "data_breach"]),
    users_affected=st.integers(0, 10_000),
    clients_affected=st.lists(st.sampled_from(["acme", "globex", "initech"]), max_size=3),
    alert_id=st.none() | st.sampled_from(["a1", "a2", "a3"]),
    source=st.none() | st.just("prometheus"),
)
commands = st.one_of(
    st.builds(Acknowledge, by=actors, note=st.none() | texts),
    st.builds(
        Escalate,
        by=actors,
        reason=texts,
        to_tier=st.none() | st.integers(-1, 5) | st.just("management"),
    ),
    st.builds(AddNote, by=actors, text=texts),
    st.builds(
        PostUpdate,
        by=actors,
        message=texts,
        eta=st.none() | st.datetimes(timezones=st.just(UTC)),
    ),
    st.builds(ChangeSeverity, by=actors, severity=severities, reason=st.none() | texts),
    st.builds(
        Resolve,
        by=actors,
        cause=texts,
        resolution=texts,
        preventive_measures=st.lists(texts, max_size=3),
    ),
    st.builds(Reopen, by=actors, reason=texts),
    st.builds(StartReview, by=actors, owner=st.none() | st.sampled_from(["bob", "erin"])),
    alerts,
    st.just("review completed"),
)
steps = st.lists(
    st.tuples(st.integers(0, 24 * 60).map(lambda m: timedelta(minutes=m)), commands),
    min_size=3,
    max_size=25,
)


@dataclass
class Cycle:
    """What the test remembers of the current cycle (since opening or the latest reopen)."""

    acknowledged: bool = False
    review_started: bool = False


def check_invariants(state: IncidentState, cycle: Cycle, now: datetime) -> None:
    assert state.status in STATUSES
    expect_ack = state.status == "acknowledged" or (
        state.status in {"resolved", "closed"} and cycle.acknowledged
    )
    assert (state.acknowledged_by is not None) == expect_ack, (state.status, cycle)
    assert (state.resolved_by is not None) == (state.status in {"resolved", "closed"})
    assert 1 <= state.tier <= len(POLICY.tiers)
    times = [entry.at for entry in state.timeline]
    assert times == sorted(times), "the timeline went back in time"
    assert times[-1] <= now


def apply_step(state: IncidentState, cycle: Cycle, command: Any, now: datetime) -> None:
    """One verb, as the workflow handles it; the review workflow is played by the test."""
    if command == "review completed":
        if state.review_workflow_id and state.review_completed_at is None:
            verbs.review_finished(state, now, "bob", "learned")
            event("review completed")
        return
    reason = verb_refusals.refusal(POLICY, state, command)
    event(f"{type(command).__name__} {'refused' if reason else 'applied'}")
    if reason:
        before = state.model_copy(deep=True)
        assert reason.strip()
        assert state == before
        return
    actions = verbs.apply(POLICY, state, command, now)
    if any(isinstance(action, BeginReview) for action in actions):
        state.review_workflow_id = f"review-{state.key}"  # what the workflow does
    if isinstance(command, Acknowledge):
        cycle.acknowledged = True
    elif isinstance(command, Reopen):
        cycle.acknowledged = False


@fuzz_settings(max_examples=300)
@given(alert=alerts, steps=steps)
def test_random_verb_sequences_keep_the_incident_consistent(
    alert: Alert, steps: list[tuple[timedelta, Any]]
) -> None:
    now = OPENED
    state, _ = engine.open_incident(POLICY, incident_id="incident-k", key="k", alert=alert, now=now)
    cycle = Cycle()
    check_invariants(state, cycle, now)
    for wait, command in steps:
        now += wait
        was_closed = state.status == "closed"
        engine.advance(POLICY, state, now)
        deadline = engine.next_deadline(POLICY, state)
        assert deadline is None or deadline.at > now, f"{deadline} is due at {now}"
        apply_step(state, cycle, command, now)
        engine.advance(POLICY, state, now)
        check_invariants(state, cycle, now)
        if was_closed:
            assert state.status == "closed", "a closed incident came back"
    event(f"ends {state.status}")
    IncidentState.model_validate_json(state.model_dump_json())
