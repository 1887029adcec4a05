"""What a change of an incident's clients or severity does to the clients' clocks and notices.

A client added by a later alert gets the opening notice (it missed the first) and, under a
contract, its clocks from the moment it joined. A severity change recomputes every client's
due times from when its clock started, on the new severity's targets.
"""

from __future__ import annotations

from datetime import datetime

from escalation import audiences
from escalation.actions import Action
from escalation.business_time import add_business_time
from escalation.client_clocks import start_clock, start_clocks
from escalation.incident import IncidentState
from escalation.policy import Policy

WELCOME = "We are investigating an incident that affects your service."


def welcome(policy: Policy, state: IncidentState, before: list[str], now: datetime) -> list[Action]:
    """Clocks and the opening notice for the known clients that joined since `before`."""
    joined = [key for key in state.clients_affected if key not in before and key in policy.clients]
    if not joined or not state.is_open:
        return []
    start_clocks(policy, state, now)
    names = {policy.clients[key].name for key in joined}
    recipients = [r for r in audiences.clients(policy, state) if r.client in names]
    for name in sorted(names):
        state.record(now, "client_update", "escalation", f"{name} joined: opening notice sent")
    facts = audiences.facts(policy, state, WELCOME)
    return audiences.notify("client_opened", recipients, facts, audience="clients")


def follow_severity(policy: Policy, state: IncidentState) -> None:
    """Every client's due times on the current severity, from when its clock started.

    A breach stays recorded unless the new due time is still ahead of the moment that counted
    (the acknowledgment or now), as with the severity's own clocks.
    """
    for index, clock in enumerate(state.client_clocks):
        fresh = start_clock(policy, clock.client, state.severity, clock.started_at)
        calendar = policy.calendars.get(clock.calendar)
        resolve_due = add_business_time(
            clock.started_at, fresh.resolve_within, calendar, clock.paused_spans(clock.started_at)
        )
        state.client_clocks[index] = fresh.model_copy(
            update={
                "waiting": clock.waiting,
                "pauses": clock.pauses,
                "resolve_due": resolve_due,
                "ack_breached": clock.ack_breached
                and _passed(state.acknowledged_at, fresh.ack_due),
                "resolve_breached": clock.resolve_breached
                and _passed(state.resolved_at, resolve_due),
            }
        )


def _passed(moment: datetime | None, due: datetime) -> bool:
    """Whether the target was missed: unanswered (kept breached) or answered after `due`."""
    return moment is None or moment > due
