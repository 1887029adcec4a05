"""A resolve that closes the incident at once still sends what it decided: the clients'
resolution notice, the stakeholders' notice and the final report."""

from __future__ import annotations

from escalation.incident import IncidentState
from tests.conftest import IncidentWorker
from tests.workflows.helpers import start_incident, wait_for

RESOLVE = {"by": "alice", "cause": "index bloat", "resolution": "reindexed"}


def sent(state: IncidentState, purpose: str) -> list[str]:
    return [n.recipient for n in state.notifications if n.purpose == purpose]


async def test_a_resolve_that_closes_at_once_sends_its_messages(worker: IncidentWorker) -> None:
    """`low` needs no review: resolving closes the incident in the same step."""
    incident = await start_incident(
        worker, title="search slow", service="search", severity="low", clients_affected=["acme"]
    )
    await incident.execute_update("acknowledge", {"by": "alice"})
    await incident.execute_update("resolve", RESOLVE)
    await incident.result()
    state = await wait_for(incident, lambda s: s.status == "closed")

    assert sent(state, "client_resolved") == ["ACME Corp"]
    assert sent(state, "final_report_client") != []
    assert sent(state, "stakeholder_resolved") != []
