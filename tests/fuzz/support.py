"""Strategies and predictions shared by the fuzz tests.

The predictions run the same pure code the workflows run (`parse_command`, `verb_refusals.refusal`,
`parse_review_command`, `review_refusal`), so a test knows the exact line a bad signal must
leave in the timeline and the exact message a bad update must be refused with.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from temporalio.client import WorkflowHandle

from escalation import verb_refusals
from escalation.commands import EXAMPLES, VERBS, MalformedCommand, parse_command
from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.review import (
    REVIEW_EXAMPLES,
    REVIEW_VERBS,
    ReviewState,
    parse_review_command,
    review_refusal,
)
from tests.polling import POLL_SECONDS, poll  # noqa: F401 - re-exported for the fuzz tests

T = TypeVar("T")

INCIDENT_VERBS = sorted(VERBS)
REVIEW_VERB_NAMES = sorted(REVIEW_VERBS)


def fuzz_settings(max_examples: int, *, shrink: bool = True) -> settings:
    """Reproducible (derandomized, no example database) and free of wall-clock deadlines.

    Workflow tests pass `shrink=False`: each shrink step is a round trip to a live workflow,
    and the failing batch is reported as drawn anyway.
    """
    phases = tuple(Phase) if shrink else tuple(p for p in Phase if p is not Phase.shrink)
    return settings(
        max_examples=max_examples,
        phases=phases,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )


# -- arbitrary JSON --------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
"""Any JSON document (no NaN or infinity, which JSON cannot carry)."""

tricky_values = st.sampled_from(
    [
        "",
        "   ",
        "\x00",
        "x" * 101,
        "x" * 10_001,
        -1,
        0,
        1,
        7,
        2**63,
        -(2**70),
        1.5,
        "management",
        "critical",
        "sev0",
        "2026-11-22T18:00:00Z",
        "2026-11-22T18:00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "yesterday",
        [],
        [""],
        ["x" * 1_001],
        {},
        None,
        True,
    ]
)
"""Values near the edges of the models' limits and types."""


@st.composite
def mutated(draw: st.DrawFn, example: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """A valid example with one to three keys dropped, retyped or added."""
    payload = dict(example)
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from([*keys, "extra", "By", ""]))
        if key in payload and draw(st.booleans()):
            del payload[key]
        else:
            payload[key] = draw(tricky_values | json_values)
    return payload


def _keys(model: Any) -> list[str]:
    return sorted(model.model_fields)


plain_texts = st.text(min_size=1, max_size=30).filter(str.strip)
names = st.sampled_from(["alice", "bob", "erin", "nobody"]) | plain_texts
offsets = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=14))])
moments = st.datetimes().map(datetime.isoformat) | st.builds(
    lambda moment, offset: moment.replace(tzinfo=offset).isoformat(), st.datetimes(), offsets
)
"""ISO 8601 times from year 1 to 9999, with and without an offset."""

VALID_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "by": names,
    "owner": names,
    "title": plain_texts,
    "text": plain_texts,
    "note": st.none() | plain_texts,
    "message": plain_texts,
    "reason": plain_texts,
    "cause": plain_texts,
    "resolution": plain_texts,
    "summary": plain_texts,
    "description": st.text(max_size=30),
    "eta": st.none() | moments,
    "due": st.none() | moments,
    "to_tier": st.none() | st.integers(-1, 5) | st.just("management"),
    "severity": st.sampled_from(["critical", "high", "medium", "low", "sev0"]),
    "preventive_measures": st.lists(plain_texts, max_size=3),
    "category": st.none() | st.sampled_from(["outage", "data_breach"]) | plain_texts,
    "service": st.sampled_from(["payments", "search"]) | plain_texts,
    "users_affected": st.integers(0, 10_000_000_000),
    "client": st.sampled_from(["acme", "ACME Corp", "globex", "initech"]) | plain_texts,
    "clients_affected": st.lists(st.sampled_from(["acme", "globex", "initech"]), max_size=4),
    "dedup_key": st.none() | st.just("payments-5xx"),
    "source": st.none() | plain_texts,
    "alert_id": st.none() | st.sampled_from(["a1", "a2"]),
    "repeats": st.integers(1, 1_000_000),
    "via": st.none() | st.sampled_from(["SMS reply", "voice", "email link", "Slack"]),
    "blocking": st.booleans(),
    "id": st.sampled_from(["A1", "A2", "A9"]),
}
"""Per field, values its model accepts, edges included (year 1 to 9999, +/-14:00, naive)."""


def typed(model: Any) -> st.SearchStrategy[dict[str, Any]]:
    """A valid argument with every key of the model, its values drawn from VALID_VALUES."""
    return st.fixed_dictionaries({key: VALID_VALUES[key] for key in _keys(model)})


def _payloads(example: dict[str, Any], model: Any) -> st.SearchStrategy[Any]:
    keys = _keys(model)
    valid = typed(model)
    return (
        json_values
        | mutated(example, keys)
        | valid
        | valid.flatmap(lambda payload: mutated(payload, keys))
    )


def incident_payloads(verb: str) -> st.SearchStrategy[Any]:
    """Any JSON, the verb's example mutated, valid arguments, and valid ones mutated."""
    return _payloads(json.loads(EXAMPLES[verb]), VERBS[verb])


def review_payloads(verb: str) -> st.SearchStrategy[Any]:
    return _payloads(json.loads(REVIEW_EXAMPLES[verb]), REVIEW_VERBS[verb])


incident_calls = st.sampled_from(INCIDENT_VERBS).flatmap(
    lambda verb: st.tuples(st.just(verb), incident_payloads(verb))
)
"""(verb, payload) for the incident workflow."""

review_calls = st.sampled_from(REVIEW_VERB_NAMES).flatmap(
    lambda verb: st.tuples(st.just(verb), review_payloads(verb))
)
"""(verb, payload) for the review workflow."""


# -- what the workflows must answer ---------------------------------------------------------


def incident_rejection(policy: Policy, state: IncidentState, verb: str, payload: Any) -> str | None:
    """`<verb>: <reason>` the incident must reject this payload with, or None if it is accepted."""
    try:
        command = parse_command(verb, payload)
    except MalformedCommand as error:
        return f"{verb}: {error}"
    reason = verb_refusals.refusal(policy, state, command)
    return f"{verb}: {reason}" if reason else None


def review_rejection(policy: Policy, review: ReviewState, verb: str, payload: Any) -> str | None:
    """`<verb>: <reason>` the review must reject this payload with, or None if it is accepted.

    The review checks named people against the policy (reviews started since that patch)."""
    try:
        command = parse_review_command(verb, payload)
    except MalformedCommand as error:
        return f"{verb}: {error}"
    reason = review_refusal(review, command, policy)
    return f"{verb}: {reason}" if reason else None


async def review_status(handle: WorkflowHandle) -> ReviewState:
    return await handle.query("status", result_type=ReviewState)


async def incident_status(handle: WorkflowHandle) -> IncidentState | None:
    return await handle.query("status", result_type=IncidentState | None)
