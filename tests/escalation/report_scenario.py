"""A scripted incident under the example policy, at fixed times, for the report and stats tests.

The pure engine decides; `deliver` plays the workflow's part of recording each message, so the
notifications are exactly what a punctual workflow with an always-up outbox would record.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from escalation import engine, verb_refusals, verbs
from escalation.actions import Action, Notify
from escalation.alerts import Alert
from escalation.commands import Acknowledge, AddNote, PostUpdate, Resolve
from escalation.incident import IncidentState
from escalation.logbook import NotificationRecord
from escalation.policy import Policy
from escalation.review import ActionItem, Feedback, ReviewState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCRIPT_TITLE = "checkout <script>alert(1)</script> failing"
INTERNAL_NOTE = "suspect the 08:55 deploy by the payments team"
ACK_NOTE = "checking gateway logs"


def at(minutes: float = 0, *, hours: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes)


def deliver(state: IncidentState, actions: list[Action], now: datetime) -> None:
    """Record every message of every Notify as sent at `now`, as the workflow would."""
    for action in actions:
        if not isinstance(action, Notify):
            continue
        for recipient in action.recipients:
            for channel in recipient.channels:
                state.notifications.append(
                    NotificationRecord(
                        at=now,
                        channel=channel,
                        to=recipient.contact.address_for(channel) or "",
                        purpose=action.purpose,
                        status="sent",
                        recipient=recipient.name,
                        notification_id=state.next_notification_id(),
                    )
                )


def run_until(policy: Policy, state: IncidentState, end: datetime) -> None:
    """A punctual workflow: wake at every deadline up to `end` and carry out what is due."""
    while (deadline := engine.next_deadline(policy, state)) is not None and deadline.at <= end:
        deliver(state, engine.advance(policy, state, deadline.at), deadline.at)


def act(policy: Policy, state: IncidentState, command: BaseModel, now: datetime) -> None:
    """Move the clock to `now`, then apply an operator verb the engine accepts."""
    run_until(policy, state, now)
    assert verb_refusals.refusal(policy, state, command) is None
    deliver(state, verbs.apply(policy, state, command, now), now)


def open_incident(policy: Policy, key: str, now: datetime = T0, **fields: Any) -> IncidentState:
    alert = Alert.model_validate(
        {"title": "checkout failing", "service": "payments", "source": "prometheus"} | fields
    )
    state, actions = engine.open_incident(
        policy, incident_id=f"incident-{key}", key=key, alert=alert, now=now
    )
    deliver(state, actions, now)
    return state


def critical_checkout(policy: Policy) -> IncidentState:
    """Critical (15m ack, 4h resolve): tier 2 acks at 12m, resolved late at 4h10m."""
    state = open_incident(
        policy,
        "checkout",
        title=SCRIPT_TITLE,
        category="data_breach",
        clients_affected=["acme"],
        users_affected=1200,
    )
    act(policy, state, Acknowledge(by="bob", note=ACK_NOTE), at(12))
    act(policy, state, AddNote(by="bob", text=INTERNAL_NOTE), at(20))
    state.record(at(25), "rejected", "mallory", "acknowledge: already acknowledged by bob")
    act(policy, state, PostUpdate(by="bob", message="A fix is being deployed"), at(50))
    act(
        policy,
        state,
        Resolve(
            by="carol",
            cause="Expired TLS certificate on the payment gateway",
            resolution="Rotated the certificate",
            preventive_measures=["Alert 14 days before expiry", "Automate rotation"],
        ),
        at(hours=4, minutes=10),
    )
    return state


def checkout_review(state: IncidentState) -> ReviewState:
    """The review of the critical incident, completed with one item still open (non-blocking)."""
    resolved = state.resolved_at
    assert resolved is not None
    return ReviewState(
        review_id="review-checkout",
        incident_id=state.incident_id,
        owner="bob",
        status="completed",
        opened_at=resolved,
        due_at=resolved + timedelta(days=5),
        action_items=[
            ActionItem(
                id="A1",
                title="Alert 14 days before certificate expiry",
                owner="dave",
                due=datetime(2026, 3, 6, 17, 0, tzinfo=UTC),
                created_by="bob",
                created_at=resolved + timedelta(hours=1),
                done_by="dave",
                done_at=datetime(2026, 3, 4, 11, 0, tzinfo=UTC),
            ),
            ActionItem(
                id="A2",
                title="Automate certificate rotation",
                owner="carol",
                blocking=False,
                created_by="bob",
                created_at=resolved + timedelta(hours=1),
            ),
        ],
        feedback=[
            Feedback(
                by="Dana Reyes (ACME)",
                text="Updates were timely",
                at=datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
            )
        ],
        summary="Certificate expiry is now alerted on; rotation automation is scheduled.",
        completed_by="bob",
        completed_at=datetime(2026, 3, 5, 16, 0, tzinfo=UTC),
    )
