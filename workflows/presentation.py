"""How an incident reads in the Temporal UI: summary line and the current-details panel."""

from __future__ import annotations

from datetime import datetime

from escalation.actions import Deadline
from escalation.incident import IncidentState
from escalation.policy import Policy


def summary(severity: str, service: str, title: str) -> str:
    """`[critical] payments: checkout failing` - the line the workflow list shows."""
    return f"[{severity}] {service}: {title}"


def _clock(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC") if at else "-"


def current_details(policy: Policy, state: IncidentState, deadline: Deadline | None) -> str:
    """Markdown for the UI's current-details panel, rewritten on every change."""
    tier = policy.tiers[state.position.tier_index]
    owner = (
        f"acknowledged by **{state.acknowledged_by}** at {_clock(state.acknowledged_at)}"
        if state.acknowledged_by
        else f"paging **{tier.name}**: {', '.join(tier.contacts)}"
    )
    sla = state.sla
    lines = [
        f"**{state.status.upper()}** · {state.severity} · {state.service} · tier {state.tier} ({tier.name})",
        "",
        f"- Owner: {owner}",
        f"- Ack due: {_clock(sla.ack_due)}{' — **BREACHED**' if sla.ack_breached else ''}",
        f"- Resolve due: {_clock(sla.resolve_due)}{' — **BREACHED**' if sla.resolve_breached else ''}",
    ]
    if state.position.management_engaged:
        lines.append(f"- Management engaged: {', '.join(policy.management.contacts)}")
    if state.resolved_by:
        lines.append(f"- Resolved by {state.resolved_by} at {_clock(state.resolved_at)}")
    if deadline:
        lines.append(f"- Next: {deadline.summary} at {_clock(deadline.at)}")
    lines += [
        f"- Alerts: {state.alerts_received} · notifications: {len(state.notifications)}",
        "",
        'Act: More Actions → Send an Update → `acknowledge` `{"by": "you"}`',
    ]
    return "\n".join(lines)
