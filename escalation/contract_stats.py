"""`escalation stats --client acme`: whether one client's contract was kept, incident by incident.

The same outcomes as the client's final report (`contract_outcomes`: business time on the
contract's calendar, time waiting on the client excluded), so a figure here can be traced to
the report the client received.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from escalation.contract_outcomes import ContractOutcome, contract_outcomes
from escalation.incident import IncidentState
from escalation.policy import Policy


class IncidentContract(BaseModel):
    """One incident's targets for the client."""

    incident_id: str
    title: str
    severity: str
    opened_at: datetime
    outcomes: list[ContractOutcome]


class ClientContractStats(BaseModel):
    """Every incident that clocked the client, and how many targets were met or missed."""

    client: str = Field(description="The client's name")
    incidents: list[IncidentContract]
    met: int
    missed: int
    pending: int


def client_key(policy: Policy, client: str) -> str | None:
    """The policy key of a client given by key or by name (case-insensitive)."""
    wanted = client.strip().casefold()
    for key, known in policy.clients.items():
        if wanted in {key.casefold(), known.name.casefold()}:
            return key
    return None


def client_contract_stats(
    incidents: Sequence[IncidentState], policy: Policy, key: str
) -> ClientContractStats:
    """The client's targets on every incident that kept a clock for it, oldest first."""
    name = policy.clients[key].name
    rows = [
        IncidentContract(
            incident_id=incident.incident_id,
            title=incident.title,
            severity=incident.severity,
            opened_at=incident.opened_at,
            outcomes=contract_outcomes(incident, policy, name),
        )
        for incident in sorted(incidents, key=lambda i: i.opened_at)
        if any(clock.client == key for clock in incident.client_clocks)
    ]
    verdicts = [outcome.verdict for row in rows for outcome in row.outcomes]
    return ClientContractStats(
        client=name,
        incidents=rows,
        met=verdicts.count("met"),
        missed=verdicts.count("breached"),
        pending=verdicts.count("pending"),
    )
