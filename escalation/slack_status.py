"""From an incident to what Slack shows of it: the status facts, the thread lines, who is in."""

from __future__ import annotations

from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.slack import TOLD_KINDS, SlackStatus

LINE_LIMIT = 500
"""Characters of a thread line: the timeline has the whole story."""


def status_of(state: IncidentState) -> SlackStatus:
    """The facts of the live status message now."""
    return SlackStatus(
        key=state.key,
        title=state.title,
        service=state.service,
        status=state.status,
        severity=state.severity,
        tier=state.tier,
        owner=state.acknowledged_by,
        ack_due=state.sla.ack_due,
        resolve_due=state.sla.resolve_due,
        ack_breached=state.sla.ack_breached,
        resolve_breached=state.sla.resolve_breached,
        acknowledged=state.acknowledged_at is not None,
        resolved=state.resolved_at is not None,
        clients_affected=state.clients_affected,
    )


def lines_to_tell(state: IncidentState, since: int) -> list[str]:
    """Thread lines for the timeline entries from index `since` that are worth telling."""
    lines = []
    for entry in state.timeline[since:]:
        word = TOLD_KINDS.get(entry.kind)
        if word:
            line = f"{word} ({entry.attribution}): {entry.detail}"
            lines.append(line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 3] + "...")
    return lines


def slack_members(policy: Policy, state: IncidentState) -> list[str]:
    """Slack ids to have in the channel: the tier paged now and every tier before it, management
    once engaged, and whoever acknowledged; contacts without a Slack id are left out."""
    names = [name for tier in policy.tiers[: state.tier] for name in tier.contacts]
    if state.position.management_engaged:
        names += policy.management.contacts
    if state.acknowledged_by:
        names.append(state.acknowledged_by)
    members: dict[str, None] = {}
    for name in names:
        contact = policy.contacts.get(name)
        if contact is not None and contact.slack:
            members[contact.slack] = None
    return list(members)


def contact_for_slack_user(policy: Policy, user_id: str) -> str | None:
    """The policy contact a Slack user is, or None for a stranger."""
    for name, contact in policy.contacts.items():
        if contact.slack == user_id:
            return name
    return None


def closing_summary(state: IncidentState) -> str:
    """The last thread line before the channel is archived: what the final report tells."""
    lines = [f"Incident {state.key} is closed."]
    if state.resolution:
        lines.append(f"Cause: {state.resolution.cause}")
        lines.append(f"Fix: {state.resolution.resolution}")
        lines += [f"Prevention: {step}" for step in state.resolution.preventive_measures]
    if state.review_workflow_id:
        lines.append(f"Review: {state.review_workflow_id}")
    return "\n".join(lines)[:3000]
