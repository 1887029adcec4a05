"""The pure parsers under arbitrary JSON: only MalformedCommand may escape, with a reason.

And every argument that does parse is safe to act on: in each status an incident can be in,
`verb_refusals.refusal` answers (a reason or None) and an allowed verb applies and advances cleanly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalation import engine, verb_refusals, verbs
from escalation.alerts import Alert
from escalation.commands import (
    VERBS,
    Acknowledge,
    MalformedCommand,
    Resolve,
    parse_command,
)
from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.policy_loader import load_policy
from escalation.review import (
    REVIEW_VERBS,
    ReviewState,
    apply_review_command,
    parse_review_command,
    review_refusal,
)
from escalation.review_schedule import next_review_deadline
from tests.conftest import EXAMPLE_POLICY
from tests.fuzz.support import fuzz_settings, incident_calls, review_calls

OPENED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
POLICY = load_policy(EXAMPLE_POLICY)
MAX_REASON = 4_000
"""A rejection reason is stored in the timeline: bounded whatever the payload."""


def parse_or_reason(parse: Any, verb: str, payload: Any) -> Any:
    try:
        return parse(verb, payload)
    except MalformedCommand as error:
        reason = str(error)
        assert reason.strip(), f"{verb}: empty reason for {payload!r}"
        assert "\n" not in reason, f"{verb}: multi-line reason {reason!r}"
        assert len(reason) < MAX_REASON, f"{verb}: a reason of {len(reason)} characters"
        return None


@pytest.mark.parametrize(
    ("parse", "calls", "commands"),
    [
        pytest.param(parse_command, incident_calls, VERBS, id="incident verbs"),
        pytest.param(parse_review_command, review_calls, REVIEW_VERBS, id="review verbs"),
    ],
)
@fuzz_settings(max_examples=600)
@given(data=st.data())
def test_a_parser_raises_only_malformed_command(
    parse: Any,
    calls: st.SearchStrategy[tuple[str, Any]],
    commands: dict[str, type],
    data: st.DataObject,
) -> None:
    verb, payload = data.draw(calls, label="call")
    command = parse_or_reason(parse, verb, payload)
    assert command is None or isinstance(command, commands[verb])


def incidents_in_every_status(policy: Policy) -> list[IncidentState]:
    """One incident per status (and a low one, which a new alert can raise), built by the engine
    and the verbs themselves."""
    made = []
    plans = [
        ("low", []),
        ("critical", []),
        ("critical", ["ack"]),
        ("critical", ["ack", "resolve"]),
        ("critical", ["resolve", "review done"]),
    ]
    for severity, steps in plans:
        alert = Alert(
            title="checkout failing",
            service="payments",
            severity=severity,
            clients_affected=["acme"],
        )
        state, _ = engine.open_incident(
            policy, incident_id="incident-k", key="k", alert=alert, now=OPENED
        )
        at = OPENED
        for step in steps:
            at += timedelta(minutes=5)
            if step == "ack":
                verbs.apply(policy, state, Acknowledge(by="alice"), at)
            elif step == "resolve":
                verbs.apply(policy, state, Resolve(by="alice", cause="c", resolution="r"), at)
                state.review_workflow_id = "review-k"
            else:
                verbs.review_finished(state, at, "bob", "learned")
        made.append(state)
    statuses = ["triggered", "triggered", "acknowledged", "resolved", "closed"]
    assert [s.status for s in made] == statuses
    return made


INCIDENTS = incidents_in_every_status(POLICY)


@fuzz_settings(max_examples=600)
@given(call=incident_calls)
def test_every_parsed_command_is_answered_and_applies_cleanly(call: tuple[str, Any]) -> None:
    verb, payload = call
    command = parse_or_reason(parse_command, verb, payload)
    if command is None:
        return
    for incident in INCIDENTS:
        state = incident.model_copy(deep=True)
        reason = verb_refusals.refusal(POLICY, state, command)
        if reason is not None:
            assert isinstance(reason, str) and reason.strip()
            continue
        now = OPENED + timedelta(hours=1)
        verbs.apply(POLICY, state, command, now)
        engine.advance(POLICY, state, now)
        deadline = engine.next_deadline(POLICY, state)
        assert deadline is None or deadline.at > now
        IncidentState.model_validate_json(state.model_dump_json())  # still carries across CAN


@fuzz_settings(max_examples=300)
@given(call=review_calls)
def test_every_parsed_review_command_is_answered_and_applies_cleanly(
    call: tuple[str, Any],
) -> None:
    verb, payload = call
    command = parse_or_reason(parse_review_command, verb, payload)
    if command is None:
        return
    review = ReviewState(
        review_id="review-k",
        incident_id="incident-k",
        owner="bob",
        opened_at=OPENED,
        due_at=OPENED + timedelta(days=5),
    )
    reason = review_refusal(review, command)
    if reason is None:
        apply_review_command(review, command, OPENED)
    deadline = next_review_deadline(POLICY, review)  # compares every due date with the clock
    assert deadline is None or deadline.at.tzinfo is not None
    ReviewState.model_validate_json(review.model_dump_json())
