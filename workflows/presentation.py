"""How an incident reads in the Temporal UI: summary line and the current-details panel.

The panel (User Metadata -> Current Details) is Markdown, rewritten whenever the workflow wakes
(an operator verb, a timer, a new alert). It answers what an operator opening the incident asks:
what state is it in, who has it, which clock runs out next, what happened last, and what can I
send now. Every argument shown is valid JSON to paste into "Send an Update" or "Send a Signal".

It shows nothing that changes without waking the workflow (a delivery finishing, for one), so it
is never stale. Setting it emits no command: changing this text never affects replay. It must
never raise either: it runs inside the workflow task.
"""

from __future__ import annotations

import json
from datetime import datetime

from escalation.actions import Deadline
from escalation.client_waits import waits_shown
from escalation.commands import example_argument
from escalation.incident import IncidentState
from escalation.logbook import TimelineEntry
from escalation.policy import Policy
from escalation.time_text import utc_clock

RECENT_EVENTS = 3
"""Timeline lines the panel shows; the `status` query (Queries tab) has all of them."""

DETAIL_CHARACTERS = 120
"""Free text (notes, causes) is cut to this length in the panel."""

YOU = "your name"
"""Placeholder for `by` in the examples: obviously one, so nobody acts as someone else."""

NEXT_VERBS: dict[str, tuple[str, ...]] = {
    "triggered": ("acknowledge", "escalate"),
    "acknowledged": ("resolve", "post_update"),
    "resolved": ("reopen",),
    "closed": (),
}
"""The verbs an operator most likely wants next, per status (others are in the dropdown)."""

_MARKDOWN_SPECIAL = "\\`*_{}[]<>()#+-!|~"


def summary(severity: str, service: str, title: str) -> str:
    """`[critical] payments: checkout failing` - the line the workflow list shows."""
    return f"[{severity}] {service}: {title}"


def _time(at: datetime) -> str:
    return at.strftime("%d %b %H:%M:%S")


def _text(value: str, limit: int = DETAIL_CHARACTERS) -> str:
    """Free text (names, notes, causes) on one line, shortened, with Markdown characters escaped."""
    line = " ".join(value.split())
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in line)


def _people(policy: Policy, contacts: list[str]) -> str:
    """Display names; the key itself for one the policy does not name (this text never raises)."""
    known = policy.contacts
    return ", ".join(
        _text(known[name].name or name if name in known else name) for name in contacts
    )


def example(verb: str) -> str:
    """The verb's documented example, with `by` as a placeholder and no fixed tier."""
    argument = json.loads(example_argument(verb))
    if "by" in argument:
        argument["by"] = YOU
    if verb == "escalate":
        argument.pop("to_tier", None)  # the next tier: valid from wherever the incident stands
    return json.dumps(argument)


def current_details(policy: Policy, state: IncidentState, deadline: Deadline | None) -> str:
    """Markdown for the UI's current-details panel, rewritten on every change."""
    tier = policy.tiers[state.position.tier_index]
    lines = [
        f"**{state.status.upper()}** · {_text(state.severity)} · {_text(state.service)} · "
        f"tier {state.tier} of {len(policy.tiers)} ({_text(tier.name)})",
        "",
        *_owner(policy, state),
        *_clocks(state, deadline),
        *_outcome(state),
    ]
    if state.position.management_engaged:
        lines.append(f"- Management engaged: {_people(policy, policy.management.contacts)}")
    if state.clients_affected:
        lines.append(f"- Clients affected: {_text(', '.join(state.clients_affected))}")
    if state.alerts_received > 1:
        lines.append(f"- Alerts received: {state.alerts_received}")
    if state.rejections:
        lines.append(f"- Signals rejected: {state.rejections}")
    lines += [f"- {_text(line, limit=200)}" for line in waits_shown(policy, state)]
    lines += ["", *_actions(state), "", *_latest(state.timeline)]
    return "\n".join(lines).rstrip()


def _owner(policy: Policy, state: IncidentState) -> list[str]:
    if state.acknowledged_by:
        return [
            f"- Owner: **{_text(state.acknowledged_by)}** "
            f"(acknowledged {utc_clock(state.acknowledged_at)})"
        ]
    if state.status == "triggered":
        index = state.position.tier_index
        tier = policy.tiers[index]
        paged = state.reach.people.get(index, tier.contacts)  # with whoever was on call
        return [f"- Owner: **nobody yet**; paging {_text(tier.name)}: {_people(policy, paged)}"]
    return []


def _clocks(state: IncidentState, deadline: Deadline | None) -> list[str]:
    """SLA due times, whether they were kept, and the next thing the workflow waits for."""
    sla = state.sla
    ack = "**BREACHED**" if sla.ack_breached else "met" if state.acknowledged_at else None
    resolve = "**BREACHED**" if sla.resolve_breached else "met" if state.resolved_at else None
    lines = [
        f"- Ack due: {utc_clock(sla.ack_due)}" + (f" ({ack})" if ack else ""),
        f"- Resolve due: {utc_clock(sla.resolve_due)}" + (f" ({resolve})" if resolve else ""),
    ]
    if deadline:
        lines.append(f"- Next: {_text(deadline.summary)} at {utc_clock(deadline.at)}")
    return lines


def _outcome(state: IncidentState) -> list[str]:
    lines = []
    if state.resolved_by:
        lines.append(
            f"- Resolved by **{_text(state.resolved_by)}** at {utc_clock(state.resolved_at)}"
        )
    if state.resolution:
        lines.append(f"- Cause: {_text(state.resolution.cause)}")
        lines.append(f"- Fix: {_text(state.resolution.resolution)}")
    if state.review_workflow_id:
        owner = f", owner {_text(state.review_owner)}" if state.review_owner else ""
        lines.append(f"- Review: {_text(state.review_workflow_id)}{owner}")
    if state.closed_at:
        lines.append(f"- Closed at {utc_clock(state.closed_at)}")
    return lines


def _actions(state: IncidentState) -> list[str]:
    verbs = NEXT_VERBS.get(state.status, ())
    if not verbs:
        return ["Nothing left to do: the incident is closed."]
    lines = [
        "**Act**: More Actions → Send an Update (answers at once) or Send a Signal; "
        "pick the name, paste the JSON:",
        "",
    ]
    lines += [f"- `{verb}` `{example(verb)}`" for verb in verbs]
    return lines


def _latest(timeline: list[TimelineEntry]) -> list[str]:
    if not timeline:
        return []
    lines = ["**Latest events**, newest first (UTC; all of them: Queries → `status`)", ""]
    for entry in reversed(timeline[-RECENT_EVENTS:]):
        detail = f": {_text(entry.detail)}" if entry.detail and entry.detail != entry.kind else ""
        lines.append(
            f"- {_time(entry.at)} {_text(entry.kind)} by {_text(entry.attribution)}{detail}"
        )
    return lines
