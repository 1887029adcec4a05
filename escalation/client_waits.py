"""Waiting on the client: `wait_for_client` pauses that client's resolution clock, `client_replied`
resumes it.

PSA tools stop a contract's clock while the ball is in the customer's court (logs, access, a
decision), so the provider is not held to time it could not use. The pause is bounded: a clock
nobody resumes runs again by itself after the contract's `max_pause`, so a forgotten wait cannot
hide a breach. Paused time is cut out of the business time the resolution target counts.
"""

from __future__ import annotations

from datetime import datetime

from escalation import commands as cmd
from escalation.actions import Action, Deadline
from escalation.business_time import add_business_time
from escalation.client_clock import ClientClock, ClientWait
from escalation.durations import format_duration
from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.time_text import utc_clock


def clock_of(policy: Policy, state: IncidentState, client: str) -> ClientClock | None:
    """The clock of the client named by key or by name (case-insensitive), if it has one."""
    wanted = client.strip().casefold()
    for clock in state.client_clocks:
        known = policy.clients.get(clock.client)
        names = {clock.client.casefold(), known.name.casefold() if known else ""}
        if wanted in names:
            return clock
    return None


def refuse_wait(policy: Policy, state: IncidentState, command: cmd.WaitForClient) -> str | None:
    """Why the client's clock cannot pause now, or None."""
    if not state.is_open:
        return f"incident is {state.status}"
    clock = clock_of(policy, state, command.client)
    if clock is None:
        return _no_clock(policy, state, command.client)
    if clock.waiting is not None:
        wait = clock.waiting
        return f"already waiting on {_name(policy, clock)} since {utc_clock(wait.since, seconds=False)}"
    return None


def refuse_replied(policy: Policy, state: IncidentState, command: cmd.ClientReplied) -> str | None:
    """Why the client's clock cannot resume now, or None."""
    clock = clock_of(policy, state, command.client)
    if clock is None:
        return _no_clock(policy, state, command.client)
    if clock.waiting is None:
        return f"not waiting on {_name(policy, clock)}"
    return None


def _no_clock(policy: Policy, state: IncidentState, client: str) -> str:
    clocked = ", ".join(clock.client for clock in state.client_clocks) or "none"
    return f"no contract clock for client {client!r} on this incident (clocked clients: {clocked})"


def wait_for_client(
    policy: Policy, state: IncidentState, command: cmd.WaitForClient, now: datetime
) -> list[Action]:
    """Pause the client's resolution clock until it replies, or `max_pause` passes."""
    clock = clock_of(policy, state, command.client)
    assert clock is not None, "call verb_refusals.refusal first"
    contract = policy.clients[clock.client].contract
    assert contract is not None
    clock.waiting = ClientWait(
        since=now, by=command.by, reason=command.reason, resumes_by=now + contract.max_pause
    )
    state.record(
        now,
        "client_waiting",
        command.by,
        f"waiting on {_name(policy, clock)}: {command.reason}; resolution clock paused "
        f"(resumes by itself after {format_duration(contract.max_pause)})",
        clock="resolve",
    )
    return []


def client_replied(
    policy: Policy, state: IncidentState, command: cmd.ClientReplied, now: datetime
) -> list[Action]:
    """Resume the client's resolution clock; its due time moves by the paused business time."""
    clock = clock_of(policy, state, command.client)
    assert clock is not None, "call verb_refusals.refusal first"
    resume(policy, state, clock, now, by=command.by, how="replied")
    return []


def resume(
    policy: Policy,
    state: IncidentState,
    clock: ClientClock,
    now: datetime,
    *,
    by: str,
    how: str,
) -> None:
    """End the client's wait at `now`: keep it among the pauses, recompute the resolution due."""
    wait = clock.waiting
    assert wait is not None
    clock.pauses = [*clock.pauses, wait.model_copy(update={"until": now, "ended_by": by})]
    clock.waiting = None
    calendar = policy.calendars.get(clock.calendar)
    clock.resolve_due = add_business_time(
        clock.started_at, clock.resolve_within, calendar, clock.paused_spans(now)
    )
    state.record(
        now,
        "client_replied",
        by,
        f"{_name(policy, clock)}: {how}; resolution clock resumed after "
        f"{format_duration(now - wait.since)} of waiting, now due "
        f"{utc_clock(clock.resolve_due, seconds=False)}",
        clock="resolve",
    )


def pause_deadlines(clocks: list[ClientClock]) -> list[Deadline]:
    """When each paused clock resumes by itself."""
    return [
        Deadline(
            at=clock.waiting.resumes_by,
            kind="client_pause_limit",
            summary=f"{clock.client} wait ends (max_pause)",
        )
        for clock in clocks
        if clock.waiting is not None
    ]


def resume_expired(policy: Policy, state: IncidentState, now: datetime, by: str) -> list[Action]:
    """Every wait past its contract's `max_pause` ends: the clock runs again, recorded."""
    for clock in state.client_clocks:
        if clock.waiting is not None and clock.waiting.resumes_by <= now:
            wait = clock.waiting
            limit = format_duration(wait.resumes_by - wait.since)
            resume(
                policy,
                state,
                clock,
                wait.resumes_by,
                by=by,
                how=f"no reply within max_pause {limit}",
            )
    return []


def end_waits(policy: Policy, state: IncidentState, now: datetime, by: str) -> None:
    """The incident was resolved: nothing is waited on any more."""
    for clock in state.client_clocks:
        if clock.waiting is not None:
            resume(policy, state, clock, now, by=by, how="incident resolved")


def waits_shown(policy: Policy, state: IncidentState) -> list[str]:
    """One line per client being waited on, for the UI's details and the CLI."""
    return [
        f"Waiting on {_name(policy, clock)} (resolution clock paused) since "
        f"{utc_clock(clock.waiting.since, seconds=False)}, resumes by "
        f"{utc_clock(clock.waiting.resumes_by, seconds=False)}: {clock.waiting.reason}"
        for clock in state.client_clocks
        if clock.waiting is not None
    ]


def _name(policy: Policy, clock: ClientClock) -> str:
    known = policy.clients.get(clock.client)
    return known.name if known else clock.client
