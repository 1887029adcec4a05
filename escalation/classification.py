"""The decision matrix: which severity an incident gets, and which rule said so."""

from __future__ import annotations

from escalation.alerts import Alert
from escalation.incident import Classification
from escalation.policy import ClassificationRule, Policy, RuleCondition


def classify(policy: Policy, alert: Alert) -> Classification:
    """First matching rule wins; an explicit severity on the alert overrides the matrix."""
    if alert.severity in policy.severities:
        return Classification(severity=alert.severity, rule="explicit severity from the reporter")
    ignored = (
        f" (requested severity {alert.severity!r} is not in the policy)" if alert.severity else ""
    )
    for rule in policy.classification:
        if _matches(rule, alert):
            return Classification(severity=rule.outcome, rule=rule.describe() + ignored)
    raise ValueError("the policy's classification has no default rule")


def _matches(rule: ClassificationRule, alert: Alert) -> bool:
    if rule.when is None:
        return True
    return _condition_holds(rule.when, alert)


def _condition_holds(condition: RuleCondition, alert: Alert) -> bool:
    checks = [
        condition.category is None or condition.category == alert.category,
        condition.service is None or condition.service == alert.service,
        condition.clients_affected_at_least is None
        or len(set(alert.clients_affected)) >= condition.clients_affected_at_least,
        condition.users_affected_at_least is None
        or alert.users_affected >= condition.users_affected_at_least,
    ]
    return all(checks)


def more_severe(policy: Policy, candidate: str, current: str) -> bool:
    """Severities rank by their order in the policy, most severe first."""
    order = list(policy.severities)
    return order.index(candidate) < order.index(current)
