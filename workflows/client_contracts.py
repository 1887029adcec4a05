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
    from escalation.commands import ChangeSeverity
    from escalation.incident import IncidentState
    from escalation.policy import Policy

CLIENT_CLOCKS = "client-contract-clocks"
"""Patch id (2026-12-02): incidents affecting a client with a contract keep that client's SLA
clocks on its calendar, and a timer for the earliest due; a breach escalates to management.
A client added by a later alert gets the opening notice it missed, and its clocks. Asked only
when such a client is affected, so other incidents record no marker; incidents started before
the patch keep only the severity's clocks."""


def start_client_clocks(policy: Policy, state: IncidentState, now: datetime) -> None:
    """Start every contracted client's clocks, on the new path only."""
    if contracted(policy, state.clients_affected) and workflow.patched(CLIENT_CLOCKS):
        start_clocks(policy, state, now)


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
        return welcome(policy, state, before, now)
    return []
