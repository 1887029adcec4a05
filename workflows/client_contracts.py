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
    from workflows.patches import (
        CLIENT_BREACH_FLAG,
        CLIENT_CADENCE,
        CLIENT_CLOCKS,
        CLIENT_WAIT,
        patched,
    )
    from workflows.search_attributes import client_breached, is_breached


def breach_published(state: IncidentState) -> bool:
    """`IncidentBreached`: the severity's SLA, or from the patch on, a client's contract."""
    if is_breached(state):
        return True
    return client_breached(state) and patched(CLIENT_BREACH_FLAG)


def waits_refused(command: BaseModel) -> str | None:
    """Why a client wait cannot apply to this incident (it predates the verbs), or None."""
    if not isinstance(command, WaitForClient | ClientReplied) or patched(CLIENT_WAIT):
        return None
    return "this incident started before waiting on the client existed"


def start_client_clocks(policy: Policy, state: IncidentState, now: datetime) -> None:
    """Start every contracted client's clocks, on the new path only."""
    if contracted(policy, state.clients_affected) and patched(CLIENT_CLOCKS):
        start_clocks(policy, state, now)
        state.contract_cadence = patched(CLIENT_CADENCE)


def after_command(
    policy: Policy, state: IncidentState, command: BaseModel, before: list[str], now: datetime
) -> list[Action]:
    """Clients joined by a later alert hear the opening notice and get their clocks; a severity
    change (by an operator or an alert) recomputes the clocks. Both on the new path only: an
    incident that started before the patch and meets neither records no marker."""
    if isinstance(command, ChangeSeverity | Alert) and state.client_clocks:
        follow_severity(policy, state)  # an alert may have raised the severity
    joined = [key for key in state.clients_affected if key not in before]
    if isinstance(command, Alert) and joined and patched(CLIENT_CLOCKS):
        if contracted(policy, joined) and not state.contract_cadence:
            state.contract_cadence = patched(CLIENT_CADENCE)
        return welcome(policy, state, before, now)
    return []
