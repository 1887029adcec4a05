"""A contract's `updates_every`: that client hears on its own cadence, on its contract's calendar.

The severity's `client_updates_every` serves clients without one. A Standard client promised an
update every two business hours must not get one every 30 minutes through the night, nor a Gold
client wait for the severity's hour. Any message to all clients (an operator's update, an
acknowledgment) restarts every client's cadence, as it restarts the severity's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from escalation import audiences
from escalation.actions import Action, Deadline
from escalation.business_time import add_business_time
from escalation.client_clock import ClientClock
from escalation.durations import format_duration
from escalation.incident import IncidentState
from escalation.policy import Policy


def own_cadence(policy: Policy, state: IncidentState, clock: ClientClock) -> timedelta | None:
    """The client's contract cadence for the current severity, when its contract sets one."""
    contract = policy.clients[clock.client].contract
    if not state.contract_cadence or contract is None:
        return None
    terms = contract.severities.get(state.severity)
    return terms.updates_every if terms else None


def on_own_cadence(policy: Policy, state: IncidentState) -> list[str]:
    """The names of the clients the severity's cadence does not serve."""
    return [
        policy.clients[clock.client].name
        for clock in state.client_clocks
        if own_cadence(policy, state, clock) is not None
    ]


def next_update(policy: Policy, state: IncidentState, clock: ClientClock) -> datetime | None:
    """When the client's next scheduled update is due, counted on its contract's calendar."""
    cadence = own_cadence(policy, state, clock)
    if cadence is None or not state.is_open:
        return None
    calendar = policy.calendars.get(clock.calendar)
    return add_business_time(clock.last_told_at or clock.started_at, cadence, calendar)


def cadence_deadlines(policy: Policy, state: IncidentState) -> list[Deadline]:
    """Each client's next scheduled update."""
    found = []
    for clock in state.client_clocks:
        due = next_update(policy, state, clock)
        if due is not None:
            found.append(Deadline(at=due, kind="client_cadence", summary=f"{clock.client} update"))
    return found


def cadence_due(policy: Policy, state: IncidentState, now: datetime, text: str) -> list[Action]:
    """The scheduled update to every client whose own cadence is due, to that client only."""
    actions: list[Action] = []
    for clock in state.client_clocks:
        due = next_update(policy, state, clock)
        if due is None or due > now:
            continue
        name = policy.clients[clock.client].name
        clock.last_told_at = now
        cadence = format_duration(own_cadence(policy, state, clock) or timedelta(0))
        state.record(
            now, "client_update", "escalation", f"scheduled update to {name} (every {cadence})"
        )
        facts = audiences.facts(
            policy, state, text, next_update_due=next_update(policy, state, clock)
        )
        recipients = [r for r in audiences.clients(policy, state) if r.client == name]
        actions += audiences.notify("client_update", recipients, facts, audience="clients")
    return actions


def all_told(state: IncidentState, now: datetime) -> None:
    """A message to every client restarts every client's cadence."""
    for clock in state.client_clocks:
        clock.last_told_at = now
