"""Cross-references pydantic cannot see: names used in one section must exist in another."""

from __future__ import annotations

from collections.abc import Iterator

from escalation.contract_checks import contract_errors
from escalation.integrations import integration_errors
from escalation.policy import Policy


def cross_reference_errors(policy: Policy) -> Iterator[tuple[str, str]]:
    """Yield (key path, problem) for every dangling name in the policy."""
    known = policy.contacts
    for index, tier in enumerate(policy.tiers):
        for position, name in enumerate(tier.contacts):
            if name not in known:
                yield f"tiers[{index}].contacts[{position}]", f"unknown contact {name!r}"
    for index, tier in enumerate(policy.tiers):
        if tier.schedule is not None and tier.schedule not in policy.schedules:
            yield f"tiers[{index}].schedule", _unknown_schedule(tier.schedule, policy)
    yield from schedule_errors(policy)
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
    yield from contract_errors(policy)
    yield from integration_errors(policy.integrations, policy.severities)


def schedule_errors(policy: Policy) -> Iterator[tuple[str, str]]:
    """Every rotation participant must be a contact, so a shift always names someone reachable."""
    for key, schedule in policy.schedules.items():
        for index, layer in enumerate(schedule.layers):
            for position, name in enumerate(layer.participants):
                if name not in policy.contacts:
                    yield (
                        f"schedules.{key}.layers[{index}].participants[{position}]",
                        f"unknown contact {name!r}",
                    )


def _unknown_schedule(name: str, policy: Policy) -> str:
    choices = ", ".join(policy.schedules) or "none defined under `schedules:`"
    return f"unknown schedule {name!r} (one of: {choices})"


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
