"""Why an operator verb is refused against the incident as it stands.

`refusal` is what an update's validator and a signal's rejection record both say, so the UI,
the CLI and the timeline give the same reason.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from escalation import commands as cmd
from escalation.alerts import Alert
from escalation.client_waits import refuse_replied, refuse_wait
from escalation.incident import IncidentState
from escalation.logbook import LOG_BUDGET
from escalation.policy import Policy
from escalation.review import unknown_person


def refusal(policy: Policy, state: IncidentState, command: BaseModel) -> str | None:
    """Why this verb cannot apply to the incident as it stands, or None when it can."""
    if state.status == "closed" and not isinstance(command, Alert):
        return f"incident is closed (since {state.closed_at:%Y-%m-%d %H:%M} UTC)"
    check = _REFUSALS.get(type(command))
    return check(policy, state, command) if check else None


def _refuse_acknowledge(
    policy: Policy, state: IncidentState, command: cmd.Acknowledge
) -> str | None:
    if state.status == "acknowledged":
        return f"already acknowledged by {state.acknowledged_by}"
    if state.status == "resolved":
        return f"already resolved by {state.resolved_by}"
    return None


def _refuse_escalate(policy: Policy, state: IncidentState, command: cmd.Escalate) -> str | None:
    if not state.is_open:
        return "incident is resolved; reopen it first"
    target = command.to_tier
    if target is None and state.tier == len(policy.tiers):
        target = "management"  # what _escalate does from the last tier
    if target == "management":
        return "management is already engaged" if state.position.management_engaged else None
    if target is None:
        return None
    if not 1 <= target <= len(policy.tiers):
        return f"there is no tier {target} (tiers are 1 to {len(policy.tiers)})"
    if target == state.tier:
        return f"tier {target} ({policy.tiers[target - 1].name}) already has the incident"
    return None


def _refuse_when_not_open(policy: Policy, state: IncidentState, command: BaseModel) -> str | None:
    return None if state.is_open else f"incident is {state.status}"


def _refuse_when_log_full(policy: Policy, state: IncidentState, text: str) -> str | None:
    if state.room_for(text):
        return None
    return (
        f"the incident's log is full ({LOG_BUDGET:,} characters); "
        "put the rest in a linked document or open a follow-up incident"
    )


def _refuse_note(policy: Policy, state: IncidentState, command: cmd.AddNote) -> str | None:
    return _refuse_when_log_full(policy, state, command.text)


def _refuse_update(policy: Policy, state: IncidentState, command: cmd.PostUpdate) -> str | None:
    return _refuse_when_not_open(policy, state, command) or _refuse_when_log_full(
        policy, state, command.message
    )


def _refuse_change_severity(
    policy: Policy, state: IncidentState, command: cmd.ChangeSeverity
) -> str | None:
    if command.severity not in policy.severities:
        return f"unknown severity {command.severity!r} (one of: {', '.join(policy.severities)})"
    if command.severity == state.severity:
        return f"severity is already {state.severity}"
    return _refuse_when_not_open(policy, state, command)


def _refuse_resolve(policy: Policy, state: IncidentState, command: cmd.Resolve) -> str | None:
    if state.status == "resolved":
        return f"already resolved by {state.resolved_by}"
    return None


def _refuse_reopen(policy: Policy, state: IncidentState, command: cmd.Reopen) -> str | None:
    if state.status != "resolved":
        return f"only a resolved incident can be reopened; this one is {state.status}"
    return None


def _refuse_start_review(
    policy: Policy, state: IncidentState, command: cmd.StartReview
) -> str | None:
    if state.review_workflow_id:
        return f"the review has already started ({state.review_workflow_id})"
    if state.review_owner and state.is_open:
        return f"a review is already requested (owner {state.review_owner})"
    if command.owner and state.named_people_checked:
        return unknown_person(policy, command.owner, "owner")
    return None


_REFUSALS: dict[type, Callable[..., str | None]] = {
    cmd.Acknowledge: _refuse_acknowledge,
    cmd.Escalate: _refuse_escalate,
    cmd.AddNote: _refuse_note,
    cmd.PostUpdate: _refuse_update,
    cmd.ChangeSeverity: _refuse_change_severity,
    cmd.Resolve: _refuse_resolve,
    cmd.Reopen: _refuse_reopen,
    cmd.StartReview: _refuse_start_review,
    cmd.WaitForClient: refuse_wait,
    cmd.ClientReplied: refuse_replied,
}
