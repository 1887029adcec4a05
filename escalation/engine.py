"""The pure escalation engine: given the policy, the incident and the time, what happens next.

No I/O and no clock of its own: the workflow feeds it events and carries out what it returns,
so every escalation rule is testable in microseconds.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Literal

from escalation import audiences
from escalation.actions import Action, AskOnCall, Deadline
from escalation.alerts import Alert
from escalation.classification import classify
from escalation.client_cadence import all_told, cadence_due, on_own_cadence
from escalation.client_clocks import breach_due
from escalation.client_waits import resume_expired
from escalation.deadlines import next_client_update, next_deadline, warning_time
from escalation.durations import format_duration
from escalation.incident import EscalationPosition, IncidentState, SlaClocks
from escalation.policy import Policy

SYSTEM = "escalation"


def open_incident(
    policy: Policy,
    *,
    incident_id: str,
    key: str,
    alert: Alert,
    now: datetime,
    pages_schedules: bool = False,
) -> tuple[IncidentState, list[Action]]:
    """Classify the report, start the SLA clocks, page tier 1 and tell clients and stakeholders.

    `pages_schedules`: tiers naming a schedule page whoever is on call (see `page_tier`)."""
    classification = classify(policy, alert)
    severity = policy.severity(classification.severity)
    state = IncidentState(
        incident_id=incident_id,
        key=key,
        title=alert.title,
        service=alert.service,
        description=alert.description,
        category=alert.category,
        severity=classification.severity,
        classification=classification,
        users_affected=alert.users_affected,
        clients_affected=sorted(set(alert.clients_affected)),
        opened_at=now,
        position=EscalationPosition(tier_since=now),
        sla=SlaClocks(
            ack_due=now + severity.ack_within,
            resolve_due=now + severity.resolve_within,
            resolve_clock_started=now,
        ),
        alert_ids=[alert.alert_id] if alert.alert_id else [],
        alerts_received=alert.repeats,
        pages_schedules=pages_schedules,
    )
    state.record(now, "opened", alert.source or "reporter", f"{alert.title} ({alert.service})")
    state.record(
        now,
        "classified",
        SYSTEM,
        f"{classification.severity}: {classification.rule}",
        severity=classification.severity,
    )
    for unknown in (c for c in state.clients_affected if c not in policy.clients):
        state.record(
            now, "warning", SYSTEM, f"client {unknown!r} is not in the policy; not notified"
        )
    actions = page_tier(policy, state, now, reason="new incident")
    actions += tell_clients(policy, state, now, "client_opened", "We are investigating.")
    actions += audiences.notify(
        "stakeholder_opened",
        audiences.stakeholders(policy),
        audiences.facts(policy, state),
        audience="stakeholders",
    )
    return state, actions


def page_tier(policy: Policy, state: IncidentState, now: datetime, *, reason: str) -> list[Action]:
    """Page (or, once acknowledged, consult) the tier at the current position.

    A tier naming a schedule first asks who is on call: the workflow asks an activity and hands
    the answer to `on_call_paging.page_on_call`, which pages (or skips a tier with nobody)."""
    index = state.position.tier_index
    tier = policy.tiers[index]
    purpose = "page" if state.status == "triggered" else "consult"
    if tier.schedule and state.pages_schedules:
        cycle = state.position.cycle
        ask = AskOnCall(
            tier_index=index, cycle=cycle, schedule=tier.schedule, purpose=purpose, reason=reason
        )
        return [ask]
    state.reach.reached_in_cycle = state.position.cycle
    state.record(
        now,
        "paged" if purpose == "page" else "consulted",
        SYSTEM,
        f"{tier.name}: {', '.join(tier.contacts)} ({reason})",
        tier=tier.name,
        recipients=list(tier.contacts),
        reason=reason,
    )
    return audiences.notify(
        purpose,
        audiences.responders(policy, state, index),
        audiences.facts(policy, state, reason),
        audience="responders",
        stops_on_ack=purpose == "page",
    )


def engage_management(
    policy: Policy, state: IncidentState, now: datetime, *, reason: str, purpose: str = "escalation"
) -> list[Action]:
    """Hierarchical escalation: the management chain is told, and why."""
    state.position.management_engaged = True
    contacts = policy.management.contacts
    state.record(
        now,
        "escalated",
        SYSTEM,
        f"management: {', '.join(contacts)} ({reason})",
        tier="management",
        recipients=list(contacts),
        reason=reason,
    )
    return audiences.notify(
        purpose,  # type: ignore[arg-type]
        audiences.management(policy, state),
        audiences.facts(policy, state, reason),
        audience="management",
    )


def tell_clients(
    policy: Policy,
    state: IncidentState,
    now: datetime,
    purpose: str,
    text: str,
    *,
    skip: Collection[str] = (),
    **extra: object,
) -> list[Action]:
    """A message to every affected client (but `skip`); restarts the client update cadence."""
    recipients = [r for r in audiences.clients(policy, state) if r.client not in skip]
    if not recipients:
        return []
    state.last_client_update_at = now
    if not skip:
        all_told(state, now)
    message = audiences.facts(
        policy, state, text, next_update_due=next_client_update(policy, state), **extra
    )
    return audiences.notify(purpose, recipients, message, audience="clients")  # type: ignore[arg-type]


def advance(policy: Policy, state: IncidentState, now: datetime) -> list[Action]:
    """Carry out everything due by `now`, earliest first."""
    actions: list[Action] = []
    while (deadline := next_deadline(policy, state)) is not None and deadline.at <= now:
        actions += _fire(policy, state, deadline, now)
    return actions


def _fire(policy: Policy, state: IncidentState, deadline: Deadline, now: datetime) -> list[Action]:
    handlers = {
        "tier_window": _tier_window_passed,
        "ownership_window": _ownership_window_passed,
        "ack_sla": _ack_sla_breached,
        "resolve_warning": _resolve_warning_due,
        "resolve_sla": _resolve_sla_breached,
        "client_update": _client_update_due,
        "client_sla": _client_sla_breached,
        "client_pause_limit": lambda p, s, n: resume_expired(p, s, n, SYSTEM),
        "client_cadence": lambda p, s, n: cadence_due(p, s, n, _progress(s)),
    }
    return handlers[deadline.kind](policy, state, now)


def _tier_window_passed(policy: Policy, state: IncidentState, now: datetime) -> list[Action]:
    """Functional escalation: next tier; after the last, repeat; after the repeats, management."""
    position = state.position
    passed = policy.tiers[position.tier_index]
    reason = f"{passed.name} did not acknowledge within {format_duration(passed.escalate_after)}"
    position.tier_since = now
    if position.tier_index + 1 < len(policy.tiers):
        position.tier_index += 1
        return page_tier(policy, state, now, reason=reason)
    if position.cycle < policy.repeat:
        position.cycle += 1
        position.tier_index = 0
        return page_tier(
            policy, state, now, reason=f"{reason}; repeat {position.cycle} of {policy.repeat}"
        )
    position.exhausted = True
    return engage_management(policy, state, now, reason=f"{reason}; every tier was paged")


def _ownership_window_passed(policy: Policy, state: IncidentState, now: datetime) -> list[Action]:
    """First-point resolution overdue: the next tier is consulted, then management."""
    position = state.position
    owner = policy.tiers[position.tier_index]
    reason = (
        f"not resolved within {format_duration(owner.ownership_window)} of {owner.name} taking it"
    )
    position.tier_since = now
    if position.tier_index + 1 < len(policy.tiers):
        position.tier_index += 1
        return page_tier(policy, state, now, reason=reason)
    position.exhausted = True
    return engage_management(policy, state, now, reason=reason)


def _ack_sla_breached(policy: Policy, state: IncidentState, now: datetime) -> list[Action]:
    reason = _record_breach(policy, state, now, "ack")
    return engage_management(policy, state, now, reason=reason, purpose="ack_breach")


def _record_breach(
    policy: Policy, state: IncidentState, now: datetime, breach: Literal["ack", "resolve"]
) -> str:
    """Marks the severity's own clock breached, once, on the timeline; returns the reason."""
    terms = policy.severity(state.severity)
    if breach == "ack":
        state.sla.ack_breached = True
        within, clock = format_duration(terms.ack_within), "acknowledge"
        reason = f"acknowledgment SLA breached: not acknowledged within {within}"
    else:
        state.sla.resolve_breached = True
        within, clock = format_duration(terms.resolve_within), "resolve"
        reason = f"resolution SLA breached: not resolved within {within}"
    state.breaches.append(breach)
    state.record(now, "sla_breach", SYSTEM, reason, clock=clock, severity=state.severity)
    return reason


def _resolve_warning_due(policy: Policy, state: IncidentState, now: datetime) -> list[Action]:
    """Warn the owners and management; when several are due at once, only the latest is sent."""
    due = [
        f
        for f in policy.severity(state.severity).resolve_warnings
        if f not in state.sla.warnings_sent and warning_time(state, f) <= now
    ]
    state.sla.warnings_sent = sorted({*state.sla.warnings_sent, *due})
    remaining = format_duration(max(state.sla.resolve_due - now, timedelta(seconds=1)))
    reason = f"{round(due[-1] * 100)}% of the resolution SLA used; {remaining} left"
    state.record(now, "sla_warning", SYSTEM, reason, clock="resolve", severity=state.severity)
    message = audiences.facts(policy, state, reason)
    owners = audiences.responders(policy, state, state.position.tier_index)
    return audiences.notify(
        "resolve_warning", owners, message, audience="responders"
    ) + audiences.notify(
        "resolve_warning", audiences.management(policy, state), message, audience="management"
    )


def _resolve_sla_breached(policy: Policy, state: IncidentState, now: datetime) -> list[Action]:
    reason = _record_breach(policy, state, now, "resolve")
    actions = engage_management(policy, state, now, reason=reason, purpose="resolve_breach")
    return actions + audiences.notify(
        "stakeholder_breach",
        audiences.stakeholders(policy),
        audiences.facts(policy, state, reason),
        audience="stakeholders",
    )


def _client_sla_breached(policy: Policy, state: IncidentState, now: datetime) -> list[Action]:
    """A client's contract target passed: recorded against the client, management told."""
    actions: list[Action] = []
    for target, reason in breach_due(policy, state.client_clocks, state.status != "triggered", now):
        state.breaches.append(f"client_{target}")
        state.record(now, "sla_breach", SYSTEM, reason)
        purpose = "ack_breach" if target == "ack" else "resolve_breach"
        actions += engage_management(policy, state, now, reason=reason, purpose=purpose)
    return actions


def _client_update_due(policy: Policy, state: IncidentState, now: datetime) -> list[Action]:
    state.record(now, "client_update", SYSTEM, "scheduled update to affected clients")
    own = on_own_cadence(policy, state)
    return tell_clients(policy, state, now, "client_update", _progress(state), skip=own)


def _progress(state: IncidentState) -> str:
    if state.acknowledged_by:
        return f"Our team ({state.acknowledged_by}) is working on it."
    return "We are still investigating."
