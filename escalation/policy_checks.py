"""Cross-references pydantic cannot see: names used in one section must exist in another."""

from __future__ import annotations

from collections.abc import Iterator

from escalation.integrations import integration_errors
from escalation.policy import Policy


def cross_reference_errors(policy: Policy) -> Iterator[tuple[str, str]]:
    """Yield (key path, problem) for every dangling name in the policy."""
    known = policy.contacts
    for index, tier in enumerate(policy.tiers):
        for position, name in enumerate(tier.contacts):
            if name not in known:
                yield f"tiers[{index}].contacts[{position}]", f"unknown contact {name!r}"
    for position, name in enumerate(policy.management.contacts):
        if name not in known:
            yield f"management.contacts[{position}]", f"unknown contact {name!r}"
    for role in ("informed", "consulted"):
        for position, name in enumerate(getattr(policy.stakeholders, role)):
            if name not in known:
                yield f"stakeholders.{role}[{position}]", f"unknown contact {name!r}"
    if policy.reviews.default_owner and policy.reviews.default_owner not in known:
        yield "reviews.default_owner", f"unknown contact {policy.reviews.default_owner!r}"
    for service, name in policy.reviews.owners.items():
        if name not in known:
            yield f"reviews.owners.{service}", f"unknown contact {name!r}"
    yield from _classification_errors(policy)
    yield from integration_errors(policy.integrations, policy.severities)


def _classification_errors(policy: Policy) -> Iterator[tuple[str, str]]:
    rules = policy.classification
    for index, rule in enumerate(rules):
        field = "default" if rule.default is not None else "severity"
        if rule.outcome not in policy.severities:
            choices = ", ".join(policy.severities)
            yield (
                f"classification[{index}].{field}",
                f"unknown severity {rule.outcome!r} (one of: {choices})",
            )
        if rule.default is not None and index != len(rules) - 1:
            yield f"classification[{index}]", "the default rule must be the last one"
    if rules[-1].default is None:
        yield f"classification[{len(rules) - 1}]", "the last rule must be `{default: <severity>}`"
