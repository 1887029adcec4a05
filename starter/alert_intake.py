"""Client functions for senders that clear alerts: find the open incident of a dedup key, act.

A monitor says "cleared" with the same dedup key it fired with, not an incident id; the open
incident may be a successor (`<key>~2`) if an earlier one awaits review. Acting by signal means
Temporal has the clear once the call returns, with or without a worker running.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from escalation.alerts import Alert
from escalation.commands import parse_command
from escalation.contract import incident_workflow_id, successor_key
from starter.opening import MAX_SUCCESSORS, OpenedIncident, _running_incident

ClearAction = Literal["resolved", "noted", "acknowledged", "ignored"]


class ClearedAlert(BaseModel):
    """What a clear or acknowledgment did: which incident heard it, or `ignored` when none is open."""

    workflow_id: str | None
    key: str | None
    action: ClearAction


async def open_incident_key(client: Client, dedup_key: str) -> str | None:
    """The key of the open incident reported under this dedup key, or None when none is open."""
    key = dedup_key
    for _ in range(MAX_SUCCESSORS):
        running = await _running_incident(client, key)
        if running is None:
            return None
        if running.is_open:
            return key
        key = successor_key(key)
    return None


async def signal_verb(client: Client, key: str, verb: str, payload: dict[str, Any]) -> None:
    """Send a verb as a signal, validated here first (the workflow records what it refuses)."""
    parse_command(verb, payload)
    await client.get_workflow_handle(incident_workflow_id(key)).signal(verb, payload)


async def clear_alert(
    client: Client, dedup_key: str, *, source: str, title: str, resolve: bool
) -> ClearedAlert:
    """Record "cleared by <source>" on the open incident, resolving it when `resolve` is set.

    A clear for an incident that is not open (resolved, closed, never opened) is accepted and
    ignored, as PagerDuty does: the sender has nothing to retry.
    """
    cause = f"cleared by {source}: {title}"
    if resolve:
        payload = {"by": source, "cause": cause, "resolution": "the monitor cleared the alert"}
        return await _act(client, dedup_key, "resolve", payload, "resolved")
    return await _act(client, dedup_key, "add_note", {"by": source, "text": cause}, "noted")


async def acknowledge_alert(client: Client, dedup_key: str, *, source: str) -> ClearedAlert:
    """Acknowledge the open incident of a dedup key for a sender (PagerDuty's `acknowledge`)."""
    return await _act(client, dedup_key, "acknowledge", {"by": source}, "acknowledged")


async def _act(
    client: Client, dedup_key: str, verb: str, payload: dict[str, Any], action: ClearAction
) -> ClearedAlert:
    key = await open_incident_key(client, dedup_key)
    if key is None:
        return ClearedAlert(workflow_id=None, key=None, action="ignored")
    try:
        await signal_verb(client, key, verb, payload)
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        return ClearedAlert(workflow_id=None, key=None, action="ignored")
    return ClearedAlert(workflow_id=incident_workflow_id(key), key=key, action=action)


async def repeat_alert(client: Client, key: str, alert: Alert, summary: str) -> OpenedIncident:
    """Signal another alert straight to an incident the caller knows is open (no describe).

    For senders that just opened or joined `key`: the caller must fall back to `open_incident`
    when this raises (the incident closed, or its run is full of signals).
    """
    alert = alert.model_copy(update={"alert_id": alert.alert_id or uuid.uuid4().hex})
    await signal_verb(client, key, "new_alert", alert.model_dump(mode="json"))
    return OpenedIncident(
        workflow_id=incident_workflow_id(key),
        key=key,
        run_id=None,
        attached=True,
        summary=summary,
        alert_id=alert.alert_id or "",
    )
