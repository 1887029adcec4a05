"""Per-client SLA clocks in the incident workflow, behind their patch."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from escalation.actions import Action
    from escalation.alerts import Alert
    from escalation.client_clocks import contracted, start_clocks
    from escalation.client_joins import follow_severity, welcome
    from escalation.commands import ChangeSeverity, ClientReplied, WaitForClient
    from escalation.incident import IncidentState
    from escalation.policy import Policy
    from workflows.search_attributes import client_breached, is_breached

CLIENT_CLOCKS = "client-contract-clocks"
"""Patch id (2026-12-02): incidents affecting a client with a contract keep that client's SLA
clocks on its calendar, and a timer for the earliest due; a breach escalates to management.
A client added by a later alert gets the opening notice it missed, and its clocks. Asked only
when such a client is affected, so other incidents record no marker; incidents started before
the patch keep only the severity's clocks."""


CLIENT_WAIT = "client-wait-pauses-resolution"
"""Patch id (2026-12-02): `wait_for_client` pauses a client's resolution clock (its deadline
leaves the timer; a timer for the contract's `max_pause` takes its place) and `client_replied`
resumes it. Before, the verbs had no handler and changed nothing: an incident that received
one then replays it as refused. Asked only when such a verb would apply."""


CLIENT_CADENCE = "client-contract-update-cadence"
"""Patch id (2026-12-02): a client whose contract sets `updates_every` hears on that cadence, on
its contract's calendar, and the severity's `client_updates_every` serves the others; before,
every client heard on the severity's. Changes the timers of incidents with such a client.
Asked when the first contracted client's clocks start (kept in `contract_cadence`)."""
CLIENT_BREACH_FLAG = "client-breach-sets-incident-breached"
"""Patch id (2026-12-02): `IncidentBreached` is also true when only a client's contract target
is breached (ACME's 10-minute Gold acknowledgment before the severity's 15); before, only the
severity's SLAs set it, and such an incident upserted no change. Asked only in that case."""


def breach_published(state: IncidentState) -> bool:
    """`IncidentBreached`: the severity's SLA, or from the patch on, a client's contract."""
    if is_breached(state):
        return True
    return client_breached(state) and workflow.patched(CLIENT_BREACH_FLAG)


def waits_refused(command: BaseModel) -> str | None:
    """Why a client wait cannot apply to this incident (it predates the verbs), or None."""
    if not isinstance(command, WaitForClient | ClientReplied) or workflow.patched(CLIENT_WAIT):
        return None
    return "this incident started before waiting on the client existed"


def start_client_clocks(policy: Policy, state: IncidentState, now: datetime) -> None:
    """Start every contracted client's clocks, on the new path only."""
    if contracted(policy, state.clients_affected) and workflow.patched(CLIENT_CLOCKS):
        start_clocks(policy, state, now)
        state.contract_cadence = workflow.patched(CLIENT_CADENCE)


def after_command(
    policy: Policy, state: IncidentState, command: BaseModel, before: list[str], now: datetime
) -> list[Action]:
    """Clients joined by a later alert hear the opening notice and get their clocks; a severity
    change (by an operator or an alert) recomputes the clocks. Both on the new path only: an
    incident that started before the patch and meets neither records no marker."""
    if isinstance(command, ChangeSeverity | Alert) and state.client_clocks:
        follow_severity(policy, state)  # an alert may have raised the severity
    joined = [key for key in state.clients_affected if key not in before]
    if isinstance(command, Alert) and joined and workflow.patched(CLIENT_CLOCKS):
        if contracted(policy, joined) and not state.contract_cadence:
            state.contract_cadence = workflow.patched(CLIENT_CADENCE)
        return welcome(policy, state, before, now)
    return []
