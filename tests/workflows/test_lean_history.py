"""A new incident records one patch marker for every patch adopted before LEAN_HISTORY: two
history events saved per patch it asks (runs begun before it replay their own: tests/replay)."""

from __future__ import annotations

import json

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle

from tests.conftest import IncidentWorker
from tests.workflows.helpers import start_incident
from workflows.patches import LEAN_HISTORY

RESOLVE = {"by": "alice", "cause": "index bloat", "resolution": "reindexed"}


async def history_of(handle: WorkflowHandle) -> list[HistoryEvent]:
    return [event async for event in handle.fetch_history_events()]


def patch_markers(events: list[HistoryEvent]) -> list[str]:
    ids = []
    for event in events:
        marker = event.marker_recorded_event_attributes
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED and marker.marker_name == (
            "core_patch"
        ):
            ids.append(json.loads(marker.details["patch-data"].payloads[0].data)["id"])
    return ids


async def test_a_new_incident_records_one_patch_marker(worker: IncidentWorker) -> None:
    """A contracted client, a resolve that closes at once and the archive: each of these asked a
    patch of its own before (client clocks, closing messages, archiving, named people...)."""
    incident = await start_incident(
        worker, title="search slow", service="search", severity="low", clients_affected=["acme"]
    )
    await incident.execute_update("acknowledge", {"by": "alice"})
    await incident.execute_update("resolve", RESOLVE)
    await incident.result()
    events = await history_of(incident)

    assert patch_markers(events) == [LEAN_HISTORY]
