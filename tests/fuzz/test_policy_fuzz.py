"""The policy loader under arbitrary YAML and mutations of examples/policy.yaml.

Whatever the text, `parse_policy` either returns a Policy that can run an incident, or raises
PolicyInvalid listing its problems as `<key path>: <problem>` strings. Nothing else escapes.

Shrinking is off here: one example (dump, parse, run an incident) costs milliseconds, and
Hypothesis would spend minutes minimising a failure that reads well as drawn.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml
from hypothesis import currently_in_test_context, event, given
from hypothesis import strategies as st

from escalation import engine
from escalation.alerts import Alert
from escalation.policy import Policy
from escalation.policy_loader import PolicyInvalid, parse_policy
from tests.conftest import EXAMPLE_POLICY
from tests.fuzz.support import fuzz_settings

EXAMPLE_TEXT = EXAMPLE_POLICY.read_text(encoding="utf-8")
EXAMPLE = yaml.safe_load(EXAMPLE_TEXT)
SECTIONS = sorted(EXAMPLE)

PROBLEM = re.compile(r"^\S[^\n]*?: \S.*$", re.DOTALL)
"""`<key path>: <problem>`; the problem itself may quote a multi-line YAML error."""
WHOLE_DOCUMENT = "the policy must be a mapping of sections (contacts, tiers...)"
"""The one problem without a key path: the document is not a mapping at all."""

yaml_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "15m",
            "0s",
            "-5m",
            "1.5h",
            "PT15M",
            "P99999999999D",
            "3651d",
            "99999999999999999999d",
            "0.000001s",
            "1e3m",
            "sms",
            "email",
            "pager",
            "required",
            "alice",
            "nobody",
            "+15555550101",
            "+1",
            "not-an-email",
            "a@b.c",
            "critical",
            "medium",
        ]
    )
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(SECTIONS), children, max_size=4)
    ),
    max_leaves=15,
)


def check(text: str) -> Policy | None:
    """Parse; a rejection must be PolicyInvalid with well-formed problems, a policy must run."""
    try:
        policy = parse_policy(text, source="fuzz.yaml")
    except PolicyInvalid as invalid:
        _event("refused")
        assert invalid.source == "fuzz.yaml"
        assert invalid.problems, "PolicyInvalid without problems"
        for problem in invalid.problems:
            assert isinstance(problem, str) and problem.strip()
            assert problem == WHOLE_DOCUMENT or PROBLEM.match(problem), problem
        return None
    _event("loads")
    run_an_incident(policy)
    return policy


def _event(label: str) -> None:
    if currently_in_test_context():  # `check` also serves plain tests
        event(label)


def run_an_incident(policy: Policy) -> None:
    """A policy that loads must be usable: open, escalate through a day, review owner."""
    opened = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    alert = Alert(title="fuzz", service="payments", clients_affected=["acme", "globex"])
    state, _ = engine.open_incident(policy, incident_id="i", key="k", alert=alert, now=opened)
    for hours in (1, 24):
        now = opened + timedelta(hours=hours)
        engine.advance(policy, state, now)
        deadline = engine.next_deadline(policy, state)
        assert deadline is None or deadline.at > now
    assert policy.review_owner("payments")
    review_due = opened + policy.severity(state.severity).review_within
    assert review_due > opened


@fuzz_settings(max_examples=200, shrink=False)
@given(document=yaml_values)
def test_arbitrary_yaml_documents(document: Any) -> None:
    check(yaml.safe_dump(document))


@fuzz_settings(max_examples=200, shrink=False)
@given(text=st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    check(text)


@st.composite
def mutated_example(draw: st.DrawFn) -> Any:
    """examples/policy.yaml with one to three values deleted, replaced or added, anywhere."""
    document = yaml.safe_load(EXAMPLE_TEXT)
    for _ in range(draw(st.integers(1, 3))):
        node, path = document, []
        # walk down a random path; stop at a random depth
        while isinstance(node, dict | list) and node and draw(st.integers(0, 3)) > 0:
            key = draw(
                st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
            )
            path.append(key)
            parent, node = node, node[key]
        if not path:
            document = draw(yaml_values) if draw(st.integers(0, 9)) == 0 else document
            continue
        action = draw(st.sampled_from(["delete", "replace", "replace", "add"]))
        key = path[-1]
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(yaml_values)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8) | st.sampled_from(SECTIONS))] = draw(yaml_values)
        else:
            parent.append(draw(yaml_values))
    return document


@fuzz_settings(max_examples=150, shrink=False)
@given(document=mutated_example())
def test_mutations_of_the_example_policy(document: Any) -> None:
    check(yaml.safe_dump(document, sort_keys=False))


DURATION_SLOTS = (
    [
        ("severities", severity, key)
        for severity in EXAMPLE["severities"]
        for key in ("ack_within", "resolve_within", "client_updates_every", "review_within")
    ]
    + [
        ("tiers", index, key)
        for index in range(len(EXAMPLE["tiers"]))
        for key in ("escalate_after", "resolve_after")
    ]
    + [("reviews", None, "remind_every")]
)

durations = (
    st.builds(
        "{}{}".format,
        st.integers(0, 10**25) | st.floats(0, 1e30, allow_nan=False).map("{:f}".format),
        st.sampled_from("smhdw"),
    )
    | st.builds("P{}D".format, st.integers(0, 10**12))
    | st.builds("PT{}S".format, st.integers(0, 10**15))
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
)
"""Durations in every form the loader reads, from zero to far past what a date can hold."""


@fuzz_settings(max_examples=150, shrink=False)
@given(
    changes=st.lists(st.tuples(st.sampled_from(DURATION_SLOTS), durations), min_size=1, max_size=3)
)
def test_any_duration_in_any_slot(changes: list[tuple[tuple[str, Any, str], Any]]) -> None:
    document = yaml.safe_load(EXAMPLE_TEXT)
    for (section, item, key), value in changes:
        parent = document[section] if item is None else document[section][item]
        parent[key] = value
    check(yaml.safe_dump(document, sort_keys=False))


@st.composite
def edited_example_text(draw: st.DrawFn) -> str:
    """The example's text with lines dropped or characters inserted: YAML errors and worse."""
    lines = EXAMPLE_TEXT.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        edit = draw(st.sampled_from(["drop", "insert", "truncate", "indent"]))
        if edit == "drop":
            del lines[index]
        elif edit == "insert":
            at = draw(st.integers(0, len(line)))
            piece = draw(st.sampled_from(["{", "}", "[", "]", ":", "- ", "&a", "*a", "!!", "\t"]))
            lines[index] = line[:at] + piece + line[at:]
        elif edit == "truncate":
            lines[index] = line[: draw(st.integers(0, len(line)))]
        else:
            lines[index] = " " * draw(st.integers(1, 4)) + line
    return "\n".join(lines)


@fuzz_settings(max_examples=120, shrink=False)
@given(text=edited_example_text())
def test_textual_edits_of_the_example_policy(text: str) -> None:
    check(text)


def test_the_fuzz_finds_valid_policies_too() -> None:
    """The example itself passes `check`, so the mutations start from a policy that runs."""
    assert check(EXAMPLE_TEXT) is not None


def test_known_hostile_policies_are_refused_with_problems() -> None:
    """What the fuzzing found: each used to escape as another exception, or load and crash."""
    hostile = {
        "integer too long for Python": "repeat: " + "9" * 5000,
        "nesting too deep": "[" * 5000 + "]" * 5000,
        "duration overflowing timedelta": EXAMPLE_TEXT.replace(
            "resolve_within: 4h", "resolve_within: " + "9" * 400 + "s"
        ),
        "duration overflowing a date": EXAMPLE_TEXT.replace(
            "resolve_within: 4h", "resolve_within: 3000000d"
        ),
        "bracket in a service name": EXAMPLE_TEXT.replace("{payments: bob}", "{'pa[y': nobody}"),
    }
    for why, text in hostile.items():
        assert check(text) is None, why
