"""When something is next due on an incident: tier windows, SLA clocks and warnings, client
updates and every client's contract clocks. The engine fires what is due; the workflow sleeps
until the earliest."""

from __future__ import annotations

from datetime import datetime

from escalation.actions import Deadline
from escalation.client_cadence import cadence_deadlines, on_own_cadence
from escalation.client_clocks import clock_deadlines
from escalation.client_waits import pause_deadlines
from escalation.durations import format_duration
from escalation.incident import IncidentState
from escalation.policy import Policy


def next_deadline(policy: Policy, state: IncidentState) -> Deadline | None:
    """The earliest moment something is due, or None when only a person can move things on."""
    candidates = [d for d in due_deadlines(policy, state) if d is not None]
    return min(candidates, key=lambda d: d.at) if candidates else None


def due_deadlines(policy: Policy, state: IncidentState) -> list[Deadline | None]:
    if not state.is_open:
        return []
    position, sla = state.position, state.sla
    tier = policy.tiers[position.tier_index]
    found: list[Deadline | None] = []
    if not position.exhausted:
        if state.status == "triggered":
            found.append(
                Deadline(
                    at=position.tier_since + tier.escalate_after,
                    kind="tier_window",
                    summary=f"{tier.name} ack window ({format_duration(tier.escalate_after)})",
                )
            )
        else:
            found.append(
                Deadline(
                    at=position.tier_since + tier.ownership_window,
                    kind="ownership_window",
                    summary=f"{tier.name} resolution window ({format_duration(tier.ownership_window)})",
                )
            )
    if state.status == "triggered" and not sla.ack_breached:
        found.append(
            Deadline(at=sla.ack_due, kind="ack_sla", summary=f"ack SLA ({state.severity})")
        )
    pending = [
        f for f in policy.severity(state.severity).resolve_warnings if f not in sla.warnings_sent
    ]
    if pending and not sla.resolve_breached:
        fraction = pending[0]
        found.append(
            Deadline(
                at=warning_time(state, fraction),
                kind="resolve_warning",
                summary=f"resolution SLA {round(fraction * 100)}% warning",
            )
        )
    if not sla.resolve_breached:
        found.append(
            Deadline(
                at=sla.resolve_due, kind="resolve_sla", summary=f"resolution SLA ({state.severity})"
            )
        )
    client_update = next_client_update(policy, state)
    if client_update is not None:
        found.append(Deadline(at=client_update, kind="client_update", summary="client update"))
    clocks = state.client_clocks
    found += cadence_deadlines(policy, state)
    return found + clock_deadlines(clocks, state.status != "triggered") + pause_deadlines(clocks)


def warning_time(state: IncidentState, fraction: float) -> datetime:
    span = state.sla.resolve_due - state.sla.resolve_clock_started
    return state.sla.resolve_clock_started + span * fraction


def next_client_update(policy: Policy, state: IncidentState) -> datetime | None:
    cadence = policy.severity(state.severity).client_updates_every
    own = on_own_cadence(policy, state)
    known_client = any(
        key in policy.clients and policy.clients[key].name not in own
        for key in state.clients_affected
    )
    if cadence is None or not state.is_open or not known_client:
        return None
    return (state.last_client_update_at or state.opened_at) + cadence
