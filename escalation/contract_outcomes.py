"""Whether each client's contract was kept: per target, the business time used and the verdict.

Time used is counted on the contract's calendar from when the client's clock started, so a
Standard client's report shows office hours, not the weekend the incident spanned.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from escalation.business_time import business_time_between
from escalation.incident import IncidentState
from escalation.policy import Policy

Verdict = Literal["met", "breached", "pending"]


class ContractOutcome(BaseModel):
    """One target of one client's contract on this incident."""

    client: str
    contract: str | None
    calendar: str
    clock: Literal["acknowledge", "resolve"]
    target: timedelta
    used: timedelta | None
    """Business time from the client's clock start to the acknowledgment or resolution, time
    waiting on the client excluded."""
    verdict: Verdict
    paused: timedelta = timedelta(0)
    """Wall-clock time the resolution clock spent waiting on the client (`wait_for_client`)."""


def contract_outcomes(
    incident: IncidentState, policy: Policy, client: str | None = None
) -> list[ContractOutcome]:
    """Every contracted client's targets (only `client`'s, by name, when given)."""
    outcomes = []
    for clock in incident.client_clocks:
        name = policy.clients[clock.client].name if clock.client in policy.clients else clock.client
        if client is not None and name != client:
            continue
        calendar = policy.calendars.get(clock.calendar)
        for kind, target, breached, ended in (
            ("acknowledge", clock.ack_within, clock.ack_breached, _acknowledged(incident)),
            ("resolve", clock.resolve_within, clock.resolve_breached, incident.resolved_at),
        ):
            pauses = clock.paused_spans(ended) if ended and kind == "resolve" else []
            used = (
                business_time_between(clock.started_at, ended, calendar, pauses) if ended else None
            )
            outcomes.append(
                ContractOutcome(
                    client=name,
                    contract=clock.contract,
                    calendar=clock.calendar,
                    clock=kind,  # type: ignore[arg-type]
                    target=target,
                    used=used,
                    verdict=_verdict(breached, used, target),
                    paused=sum((end - start for start, end in pauses), timedelta(0)),
                )
            )
    return outcomes


def _acknowledged(incident: IncidentState) -> datetime | None:
    """A resolution without acknowledgment stops the acknowledgment clock too."""
    return incident.acknowledged_at or incident.resolved_at


def _verdict(breached: bool, used: timedelta | None, target: timedelta) -> Verdict:
    if breached or (used is not None and used > target):
        return "breached"
    return "pending" if used is None else "met"


def about_another_client(detail: str, policy: Policy, client: str | None) -> bool:
    """Whether a breach line names a client other than `client`: kept out of its report."""
    return any(
        detail.startswith(f"{other.name} ") and other.name != client
        for other in policy.clients.values()
    )
