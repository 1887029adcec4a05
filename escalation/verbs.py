"""Operator verbs against the incident: what each does once accepted (`verb_refusals` says
whether it is). Call `verb_refusals.refusal` first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel

from escalation import audiences
from escalation import commands as cmd
from escalation.actions import Action, BeginReview, SendFinalReport
from escalation.alerts import Alert
from escalation.classification import classify, more_severe
from escalation.client_clocks import restart_clocks
from escalation.client_waits import client_replied, end_waits, wait_for_client
from escalation.engine import SYSTEM, engage_management, page_tier, tell_clients
from escalation.incident import IncidentState, Resolution, opening_alert_matches
from escalation.policy import Policy

ALERT_IDS_KEPT = 200
ALERTS_LOGGED = 100
"""A flapping monitor can send thousands of repeats: the first hundred each get a timeline line,
then every hundredth, naming the ones it stands for. All are counted in `alerts_received`."""


def apply(
    policy: Policy,
    state: IncidentState,
    command: BaseModel,
    now: datetime,
    *,
    breaches_follow_severity: bool = True,
    reopen_forgets_reach: bool = True,
    reopen_restarts_client_clocks: bool = True,
) -> list[Action]:
    """Carry out an accepted verb. Call `refusal` first: this assumes the verb is allowed.

    `breaches_follow_severity=False`, `reopen_forgets_reach=False` and
    `reopen_restarts_client_clocks=False` are how incidents started before those rules replay
    (see `follow_severity`, `forget_reach`, `restart_clocks`)."""
    previous = state.severity
    written = len(state.timeline)
    if isinstance(command, cmd.Reopen) and reopen_forgets_reach:
        forget_reach(state)
    if isinstance(command, cmd.Reopen) and reopen_restarts_client_clocks:
        restart_clocks(policy, state, now)
    actions = _EFFECTS[type(command)](policy, state, command, now)
    _stamp_channel(state, command, written)
    if isinstance(command, cmd.ChangeSeverity) and breaches_follow_severity:
        follow_severity(state, previous, now)
    return actions


def _stamp_channel(state: IncidentState, command: BaseModel, written: int) -> None:
    """The lines the operator's verb wrote name the channel it came through."""
    via = getattr(command, "via", None)
    if via:
        for entry in state.timeline[written:]:
            if entry.actor == command.by:  # type: ignore[attr-defined]
                entry.via = via


def forget_reach(state: IncidentState) -> None:
    """A reopen starts again at cycle 0, so no tier has reached anyone in it yet: a reach kept
    from before would let a last tier with nobody on call wait out its window instead of
    engaging management at once."""
    state.reach.reached_in_cycle = -1


def follow_severity(state: IncidentState, previous: str, now: datetime) -> None:
    """After a severity change, the current cycle's breach flags say whether the NEW severity's
    SLA is breached. A breach of the former severity's SLA stays in the record (its timeline line
    and `breaches`, which the report names with that severity); when the new SLA is not breached,
    its flag is lifted and, while the clock still runs, the engine watches the new due time."""
    sla = state.sla
    lifted = []
    if sla.ack_breached and (state.acknowledged_at or now) <= sla.ack_due:
        sla.ack_breached = False
        lifted.append(f"acknowledgment (now due {sla.ack_due:%Y-%m-%d %H:%M} UTC)")
    if sla.resolve_breached and (state.resolved_at or now) <= sla.resolve_due:
        sla.resolve_breached = False
        lifted.append(f"resolution (now due {sla.resolve_due:%Y-%m-%d %H:%M} UTC)")
    if lifted:
        state.record(
            now,
            "sla_reset",
            SYSTEM,
            f"the {previous} SLA breach stays on record; {state.severity} SLA not breached: "
            + ", ".join(lifted),
        )


def _acknowledge(
    policy: Policy, state: IncidentState, command: cmd.Acknowledge, now: datetime
) -> list[Action]:
    state.status = "acknowledged"
    state.acknowledged_by, state.acknowledged_at = command.by, now
    state.position.tier_since = now
    state.position.exhausted = False
    late = now > state.sla.ack_due
    if late and not state.sla.ack_breached:
        state.sla.ack_breached = True
        state.breaches.append("ack")
        detail = "acknowledgment SLA breached: acknowledged late"
        state.record(
            now, "sla_breach", SYSTEM, detail, clock="acknowledge", severity=state.severity
        )
    state.record(now, "acknowledged", command.by, command.note or "acknowledged")
    return tell_clients(
        policy, state, now, "client_update", "Our team has acknowledged the incident."
    )


def _escalate(
    policy: Policy, state: IncidentState, command: cmd.Escalate, now: datetime
) -> list[Action]:
    state.record(now, "escalation_requested", command.by, command.reason)
    reason = f"escalated by {command.by}: {command.reason}"
    target = command.to_tier
    if target is None and state.tier == len(policy.tiers):
        target = "management"
    if target == "management":
        return engage_management(policy, state, now, reason=reason)
    state.position.tier_index = (
        (target - 1) if target is not None else state.position.tier_index + 1
    )
    state.position.tier_since = now
    state.position.exhausted = False
    return page_tier(policy, state, now, reason=reason)


def _add_note(
    policy: Policy, state: IncidentState, command: cmd.AddNote, now: datetime
) -> list[Action]:
    state.record(now, "note", command.by, command.text)
    return []


def _post_update(
    policy: Policy, state: IncidentState, command: cmd.PostUpdate, now: datetime
) -> list[Action]:
    eta = f" (ETA {command.eta:%Y-%m-%d %H:%M %Z})" if command.eta else ""
    state.record(now, "update", command.by, command.message + eta)
    return tell_clients(policy, state, now, "client_update", command.message, eta=command.eta)


def _change_severity(
    policy: Policy, state: IncidentState, command: cmd.ChangeSeverity, now: datetime
) -> list[Action]:
    previous = state.severity
    state.severity = command.severity
    rules = policy.severity(command.severity)
    # from the start of the current cycle: the opening, or the latest reopen
    state.sla.ack_due = state.sla.resolve_clock_started + rules.ack_within
    state.sla.resolve_due = state.sla.resolve_clock_started + rules.resolve_within
    state.sla.warnings_sent = []
    state.record(
        now,
        "severity_changed",
        command.by,
        f"{previous} -> {command.severity}: {command.reason or ''}".rstrip(": "),
        severity=command.severity,
    )
    return []


def _resolve(
    policy: Policy, state: IncidentState, command: cmd.Resolve, now: datetime
) -> list[Action]:
    state.status = "resolved"
    state.resolved_by, state.resolved_at = command.by, now
    state.resolution = Resolution(
        cause=command.cause,
        resolution=command.resolution,
        preventive_measures=command.preventive_measures,
    )
    if now > state.sla.resolve_due and not state.sla.resolve_breached:
        state.sla.resolve_breached = True
        state.breaches.append("resolve")
        detail = "resolution SLA breached: resolved late"
        state.record(now, "sla_breach", SYSTEM, detail, clock="resolve", severity=state.severity)
    end_waits(policy, state, now, command.by)
    state.record(
        now, "resolved", command.by, f"cause: {command.cause}; resolution: {command.resolution}"
    )
    actions = tell_clients(policy, state, now, "client_resolved", "The incident is resolved.")
    actions += audiences.notify(
        "stakeholder_resolved",
        audiences.stakeholders(policy),
        audiences.facts(policy, state),
        audience="stakeholders",
    )
    report_to = audiences.clients(policy, state) + audiences.stakeholders(policy)
    if report_to:
        actions.append(SendFinalReport(recipients=report_to, audience="client"))
    review = policy.severity(state.severity).review
    if state.review_completed_at is not None:
        close(state, now, "resolved again after its review was completed")
    elif state.review_workflow_id is None and (review == "required" or state.review_owner):
        actions.append(BeginReview(owner=state.review_owner))
    elif state.review_workflow_id is None:
        close(state, now, f"no review needed (review: {review})")
    return actions


def review_finished(state: IncidentState, now: datetime, by: str, summary: str) -> None:
    """The review workflow completed: a resolved incident closes; a reopened one closes on resolve."""
    if state.review_completed_at is not None:
        return
    state.review_completed_at = now
    state.record(now, "review_completed", by, summary)
    if state.status == "resolved":
        close(state, now, "post-incident review completed")


def close(state: IncidentState, now: datetime, why: str) -> None:
    """The end of the incident's life: nothing more is due."""
    state.status = "closed"
    state.closed_at = now
    state.record(now, "closed", SYSTEM, why)


def _reopen(
    policy: Policy, state: IncidentState, command: cmd.Reopen, now: datetime
) -> list[Action]:
    rules = policy.severity(state.severity)
    state.status = "triggered"
    state.acknowledged_by = state.acknowledged_at = None
    state.resolved_by = state.resolved_at = None
    state.resolution = None
    state.position = state.position.model_copy(
        update={
            "tier_index": 0,
            "cycle": 0,
            "tier_since": now,
            "management_engaged": False,
            "exhausted": False,
        }
    )
    state.sla = state.sla.model_copy(
        update={
            "ack_due": now + rules.ack_within,
            "resolve_due": now + rules.resolve_within,
            "resolve_clock_started": now,
            "ack_breached": False,
            "resolve_breached": False,
            "warnings_sent": [],
        }
    )
    state.record(now, "reopened", command.by, command.reason)
    actions = page_tier(policy, state, now, reason=f"reopened by {command.by}: {command.reason}")
    return actions + tell_clients(
        policy, state, now, "client_update", "The problem has returned; we are on it again."
    )


def _start_review(
    policy: Policy, state: IncidentState, command: cmd.StartReview, now: datetime
) -> list[Action]:
    # Unnamed, the owner is the service's review owner (as for a required review), not whoever
    # typed the verb: `by` is often a login name nobody can be emailed at.
    state.review_owner = command.owner or policy.review_owner(state.service)
    state.record(now, "review_requested", command.by, f"owner: {state.review_owner}")
    if state.status == "resolved":
        return [BeginReview(owner=state.review_owner)]
    return []


def _new_alert(policy: Policy, state: IncidentState, alert: Alert, now: datetime) -> list[Action]:
    """A repeat report: counted, merged into the impact, and may raise the severity."""
    if opening_alert_matches(state, alert):
        return []
    if alert.alert_id:
        state.alert_ids = [*state.alert_ids, alert.alert_id][-ALERT_IDS_KEPT:]
    if not state.is_open:
        state.record(
            now,
            "alert_ignored",
            alert.source or "reporter",
            f"{alert.title} (incident already {state.status})",
        )
        return []
    before = state.alerts_received
    state.alerts_received += alert.repeats
    state.users_affected = max(state.users_affected, alert.users_affected)
    state.clients_affected = sorted({*state.clients_affected, *alert.clients_affected})
    count, source = state.alerts_received, alert.source or "reporter"
    if alert.repeats > 1 and before < ALERTS_LOGGED:
        state.record(now, "alert", source, f"{alert.title} (alerts #{before + 1}-#{count})")
    elif count <= ALERTS_LOGGED:
        state.record(now, "alert", source, f"{alert.title} (alert #{count})")
    elif count // ALERTS_LOGGED > before // ALERTS_LOGGED:
        since = before // ALERTS_LOGGED * ALERTS_LOGGED + 1
        state.record(
            now, "alert", source, f"{alert.title} (alert #{count}; #{since}-#{count - 1} counted)"
        )
    merged = alert.model_copy(
        update={"users_affected": state.users_affected, "clients_affected": state.clients_affected}
    )
    proposed = classify(policy, merged)
    if more_severe(policy, proposed.severity, state.severity):
        command = cmd.ChangeSeverity(
            by=SYSTEM, severity=proposed.severity, reason=f"new alert: {proposed.rule}"
        )
        return _change_severity(policy, state, command, now)
    return []


_EFFECTS: dict[type, Callable[..., list[Action]]] = {
    cmd.Acknowledge: _acknowledge,
    cmd.Escalate: _escalate,
    cmd.AddNote: _add_note,
    cmd.PostUpdate: _post_update,
    cmd.ChangeSeverity: _change_severity,
    cmd.Resolve: _resolve,
    cmd.Reopen: _reopen,
    cmd.StartReview: _start_review,
    Alert: _new_alert,
    cmd.WaitForClient: wait_for_client,
    cmd.ClientReplied: client_replied,
}
