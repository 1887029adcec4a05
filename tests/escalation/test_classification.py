"""The decision matrix: first match wins, an explicit severity overrides."""

from __future__ import annotations

from typing import Any

import pytest

from escalation.alerts import Alert
from escalation.classification import classify, more_severe
from escalation.incident import Classification
from escalation.policy import Policy
from escalation.policy_loader import parse_policy


def alert(**fields: Any) -> Alert:
    return Alert(title=fields.pop("title", "checkout 5xx"), service="payments", **fields)


def severity_of(policy: Policy, **fields: Any) -> str:
    return classify(policy, alert(**fields)).severity


def two_severity_policy(order: tuple[str, str], classification: str) -> Policy:
    """A one-contact policy with two severities written in `order` (the first the stricter
    SLAs) and the given classification rules."""
    first, second = order
    return parse_policy(
        f"""
contacts: {{a: {{email: a@example.com}}}}
severities:
  {first}: {{ack_within: 15m, resolve_within: 4h, channels: [email], review: required}}
  {second}: {{ack_within: 8h, resolve_within: 3d, channels: [email], review: none}}
tiers: [{{name: One, contacts: [a], escalate_after: 10m}}]
management: {{contacts: [a]}}
classification:{classification}
"""
    )


def test_data_breach_is_critical(example_policy: Policy) -> None:
    result = classify(example_policy, alert(category="data_breach"))
    assert result == Classification(severity="critical", rule="category=data_breach -> critical")


def test_two_clients_is_critical(example_policy: Policy) -> None:
    result = classify(example_policy, alert(clients_affected=["acme", "globex"]))
    assert result == Classification(
        severity="critical", rule="clients_affected_at_least=2 -> critical"
    )


def test_the_same_client_twice_counts_once(example_policy: Policy) -> None:
    assert severity_of(example_policy, clients_affected=["acme", "acme"]) == "medium"


def test_one_client_alone_is_not_critical(example_policy: Policy) -> None:
    assert severity_of(example_policy, clients_affected=["acme"]) == "medium"


def test_a_hundred_users_is_high(example_policy: Policy) -> None:
    result = classify(example_policy, alert(users_affected=100))
    assert result == Classification(severity="high", rule="users_affected_at_least=100 -> high")


def test_ninety_nine_users_is_the_default(example_policy: Policy) -> None:
    assert severity_of(example_policy, users_affected=99) == "medium"


def test_outage_with_users_is_high(example_policy: Policy) -> None:
    result = classify(example_policy, alert(category="outage", users_affected=1))
    assert result.rule == "category=outage, users_affected_at_least=1 -> high"


def test_outage_without_users_is_the_default(example_policy: Policy) -> None:
    assert severity_of(example_policy, category="outage") == "medium"


def test_default_rule(example_policy: Policy) -> None:
    assert classify(example_policy, alert()) == Classification(
        severity="medium", rule="default -> medium"
    )


def test_first_match_wins(example_policy: Policy) -> None:
    # matches both the data_breach rule (critical) and the 100-users rule (high)
    result = classify(example_policy, alert(category="data_breach", users_affected=500))
    assert result.rule == "category=data_breach -> critical"


def test_first_match_wins_even_when_a_later_rule_is_more_severe() -> None:
    policy = two_severity_policy(
        ("critical", "low"),
        """
  - {when: {service: payments}, severity: low}
  - {when: {users_affected_at_least: 1}, severity: critical}
  - {default: critical}""",
    )
    assert severity_of(policy, users_affected=1000) == "low"


def test_explicit_severity_overrides_the_matrix(example_policy: Policy) -> None:
    result = classify(example_policy, alert(category="data_breach", severity="low"))
    assert result == Classification(severity="low", rule="explicit severity from the reporter")


def test_unknown_explicit_severity_falls_back_to_the_matrix(example_policy: Policy) -> None:
    result = classify(example_policy, alert(category="data_breach", severity="sev1"))
    assert result.severity == "critical"
    assert result.rule == (
        "category=data_breach -> critical (requested severity 'sev1' is not in the policy)"
    )


@pytest.mark.parametrize(
    ("candidate", "current", "expected"),
    [
        ("critical", "high", True),
        ("critical", "low", True),
        ("medium", "low", True),
        ("low", "medium", False),
        ("high", "critical", False),
        ("high", "high", False),
    ],
)
def test_more_severe_ranks_by_policy_order(
    example_policy: Policy, candidate: str, current: str, expected: bool
) -> None:
    assert more_severe(example_policy, candidate, current) is expected


def test_more_severe_follows_the_order_written_not_the_names() -> None:
    policy = two_severity_policy(("low", "critical"), " [{default: low}]")
    assert more_severe(policy, "low", "critical")
    assert not more_severe(policy, "critical", "low")
