"""Paging a tier that names a schedule, once an activity has said who is on call.

`engine.page_tier` asks (`AskOnCall`); the workflow has the answer read at that moment and hands
it here. The tier pages its contacts and whoever is on call; a tier that reaches nobody is
recorded and the incident moves to the next tier at once instead of waiting out the window.
"""

from __future__ import annotations

from datetime import datetime

from escalation import audiences
from escalation.actions import Action, AskOnCall
from escalation.engine import SYSTEM, engage_management, page_tier
from escalation.incident import IncidentState
from escalation.on_call_models import OnCallAnswer
from escalation.policy import Policy


def page_on_call(
    policy: Policy, state: IncidentState, ask: AskOnCall, answer: OnCallAnswer, now: datetime
) -> list[Action]:
    """Page the asked tier with the answer, unless the incident has moved on meanwhile."""
    if _moved_on(state, ask):
        return []
    tier = policy.tiers[ask.tier_index]
    for warning in answer.warnings:
        state.record(now, "warning", SYSTEM, f"schedule {ask.schedule}: {warning}")
    names = list(tier.contacts)
    if answer.who is not None and answer.who not in names:
        names.append(answer.who)
    if not names:
        return _nobody_on_call(policy, state, ask, now)
    state.reach.people[ask.tier_index] = names
    state.reach.reached_in_cycle = ask.cycle
    on_call = (
        f"{answer.who} (on call for {ask.schedule})"
        if answer.who is not None
        else f"nobody on call for {ask.schedule}"
    )
    listed = [name for name in tier.contacts if name != answer.who] + [on_call]
    state.record(
        now,
        "paged" if ask.purpose == "page" else "consulted",
        SYSTEM,
        f"{tier.name}: {', '.join(listed)} ({ask.reason})",
    )
    return audiences.notify(
        ask.purpose,
        audiences.people(policy, state, names),
        audiences.facts(policy, state, ask.reason),
        audience="responders",
        stops_on_ack=ask.purpose == "page",
    )


def _moved_on(state: IncidentState, ask: AskOnCall) -> bool:
    """Acknowledged, resolved or escalated elsewhere while the question was out: no page."""
    position = state.position
    expected = "triggered" if ask.purpose == "page" else "acknowledged"
    return (
        state.status != expected
        or position.exhausted
        or (position.tier_index, position.cycle) != (ask.tier_index, ask.cycle)
    )


def _nobody_on_call(
    policy: Policy, state: IncidentState, ask: AskOnCall, now: datetime
) -> list[Action]:
    """Next tier at once; past the last tier, management if no tier reached anyone this cycle
    (else the last tier's window runs on for the people paged before)."""
    tier = policy.tiers[ask.tier_index]
    state.record(now, "nobody_on_call", SYSTEM, f"{tier.name}: nobody on call for {ask.schedule}")
    position = state.position
    reason = f"nobody on call for {tier.name} ({ask.schedule})"
    if ask.tier_index + 1 < len(policy.tiers):
        position.tier_index += 1
        position.tier_since = now
        return page_tier(policy, state, now, reason=reason)
    if ask.purpose == "page" and state.reach.reached_in_cycle == ask.cycle:
        return []
    position.exhausted = True
    return engage_management(policy, state, now, reason=f"{reason}; no tier reached anyone")
