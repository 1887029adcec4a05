"""Each affected client's SLA clocks, counted on its contract's calendar beside the severity's.

A client with a contract gets its own due times (acknowledgment, resolution) from the moment it
joined the incident; the engine waits for the earliest of every clock. A breach is recorded
against the client, escalates to management like any breach, and is kept for its reports.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from escalation.actions import Deadline
from escalation.business_time import add_business_time
from escalation.calendars import ALWAYS, BusinessCalendar
from escalation.client_clock import ClientClock
from escalation.client_contracts import Contract
from escalation.durations import format_duration
from escalation.incident import IncidentState
from escalation.policy import Policy

Target = Literal["ack", "resolve"]


def start_clocks(policy: Policy, state: IncidentState, now: datetime) -> None:
    """Start the clocks of every contracted client the incident affects that has none yet."""
    running = {clock.client for clock in state.client_clocks}
    for client in contracted(policy, state.clients_affected):
        if client not in running:
            state.client_clocks.append(start_clock(policy, client, state.severity, now))


def restart_clocks(policy: Policy, state: IncidentState, now: datetime) -> None:
    """A reopen starts a new cycle for every client, as for the severity: due times from `now`,
    no breach or wait carried over (the first cycle's breaches stay on the timeline). Without
    it, a client acknowledged and resolved in time was breached at the reopen, at once, against
    due times long past. Only when the client was last told is kept: its cadence runs on."""
    state.client_clocks = [
        start_clock(policy, clock.client, state.severity, now).model_copy(
            update={"last_told_at": clock.last_told_at}
        )
        for clock in state.client_clocks
    ]


def contracted(policy: Policy, clients: list[str]) -> list[str]:
    """The clients among these whose contract sets their clocks."""
    return [key for key in clients if key in policy.clients and policy.clients[key].contract]


def start_clock(policy: Policy, client: str, severity: str, since: datetime) -> ClientClock:
    """A client's clocks from `since`, on its contract's targets for `severity`."""
    contract = policy.clients[client].contract
    assert contract is not None, f"client {client!r} has no contract"
    ack_within, resolve_within = _targets(policy, contract, severity)
    calendar = calendar_of(policy, contract)
    return ClientClock(
        client=client,
        contract=contract.name,
        calendar=contract.calendar,
        started_at=since,
        ack_within=ack_within,
        resolve_within=resolve_within,
        ack_due=add_business_time(since, ack_within, calendar),
        resolve_due=add_business_time(since, resolve_within, calendar),
    )


def calendar_of(policy: Policy, contract: Contract) -> BusinessCalendar | None:
    """The contract's calendar; None for 24x7."""
    return policy.calendars.get(contract.calendar)


def _targets(policy: Policy, contract: Contract, severity: str) -> tuple[timedelta, timedelta]:
    """The contract's targets for a severity; what it leaves out, the severity's own SLA."""
    own = policy.severity(severity)
    terms = contract.severities.get(severity)
    ack = terms.ack_within if terms and terms.ack_within else own.ack_within
    resolve = terms.resolve_within if terms and terms.resolve_within else own.resolve_within
    return ack, resolve


def clock_deadlines(clocks: list[ClientClock], acknowledged: bool) -> list[Deadline]:
    """When each client's next target falls due, while it can still be breached."""
    found = []
    for clock in clocks:
        if not acknowledged and not clock.ack_breached:
            found.append(Deadline(at=clock.ack_due, kind="client_sla", summary=_name(clock, "ack")))
        if not clock.resolve_breached and clock.waiting is None:
            found.append(
                Deadline(at=clock.resolve_due, kind="client_sla", summary=_name(clock, "resolve"))
            )
    return found


def breach_due(
    policy: Policy, clocks: list[ClientClock], acknowledged: bool, now: datetime
) -> list[tuple[Target, str]]:
    """Mark every client target due by `now` as breached; (target, why) for each."""
    breached = []
    for clock in clocks:
        name = policy.clients[clock.client].name
        label = f"{name} ({clock.contract} contract)" if clock.contract else name
        if not acknowledged and not clock.ack_breached and clock.ack_due <= now:
            clock.ack_breached = True
            breached.append(
                (
                    "ack",
                    f"{label} acknowledgment target breached: not acknowledged within "
                    f"{format_duration(clock.ack_within)} ({_counted(clock)})",
                )
            )
        if not clock.resolve_breached and clock.waiting is None and clock.resolve_due <= now:
            clock.resolve_breached = True
            breached.append(
                (
                    "resolve",
                    f"{label} resolution target breached: not resolved within "
                    f"{format_duration(clock.resolve_within)} ({_counted(clock)})",
                )
            )
    return breached


def _counted(clock: ClientClock) -> str:
    return "round the clock" if clock.calendar == ALWAYS else f"business time, {clock.calendar}"


def _name(clock: ClientClock, target: str) -> str:
    return f"{clock.client} {target} target"


def missed_targets(policy: Policy, state: IncidentState) -> dict[str, list[str]]:
    """Per client name, its contract targets breached so far, as its own notices say them."""
    missed: dict[str, list[str]] = {}
    for clock in state.client_clocks:
        contract = f"{clock.contract} contract" if clock.contract else "contract"
        for breached, target, within in (
            (clock.ack_breached, "acknowledgment", clock.ack_within),
            (clock.resolve_breached, "resolution", clock.resolve_within),
        ):
            if breached:
                name = policy.clients[clock.client].name
                missed.setdefault(name, []).append(
                    f"We missed the {target} target of your {contract}: "
                    f"{format_duration(within)} ({_counted(clock)})."
                )
    return missed
