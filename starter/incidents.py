"""Acting on one incident from the client side: its handle, the verbs as updates, its status.

Services and the `escalation` CLI speak to incidents through the same functions; opening is in
`starter.opening`, finding many in `starter.listing`, finished ones in `starter.records`.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from escalation.commands import VERBS
from escalation.contract import CommandResult, incident_key, incident_workflow_id
from escalation.incident import IncidentState
from starter.opening import QUERY_TIMEOUT, OpenedIncident, open_incident

__all__ = [
    "QUERY_TIMEOUT",
    "IncidentNotFound",
    "IncidentNotReady",
    "OpenedIncident",
    "VerbRefused",
    "incident_handle",
    "incident_status",
    "not_found",
    "open_incident",
    "send_verb",
]
"""`open_incident` and `OpenedIncident` live in `starter.opening`; services import them from here
(README, For services), so this module names them too."""


class IncidentNotFound(LookupError):
    """No incident workflow has this id (in this namespace)."""


class IncidentNotReady(RuntimeError):
    """The incident exists but has not finished opening (its policy snapshot is in flight)."""


class VerbRefused(ValueError):
    """The incident refused the verb; the message is the validator's reason."""


def incident_handle(client: Client, incident: str) -> WorkflowHandle[Any, Any]:
    """The workflow for a key or an `incident-<key>` id, as operators type both."""
    return client.get_workflow_handle(incident_workflow_id(incident_key(incident)))


async def send_verb(
    client: Client, incident: str, verb: str, payload: dict[str, Any]
) -> CommandResult:
    """Run an operator verb as an update: accepted with a result, or refused with the reason."""
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r} (one of: {', '.join(VERBS)})")
    handle = incident_handle(client, incident)
    try:
        return await handle.execute_update(verb, payload, result_type=CommandResult)
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        reason = getattr(cause, "message", None) or str(cause or error)
        raise VerbRefused(reason) from None
    except RPCError as error:
        raise not_found(error, handle.id) from None


async def incident_status(client: Client, incident: str) -> IncidentState:
    """The incident as its `status` query reports it."""
    handle = incident_handle(client, incident)
    try:
        state = await handle.query("status", result_type=IncidentState, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as error:
        raise not_found(error, handle.id) from None
    if state is None:
        raise IncidentNotReady(f"{handle.id} is still opening (its policy snapshot is in flight)")
    return state


def not_found(error: RPCError, workflow_id: str) -> Exception:
    """Turn the server's NOT_FOUND into a domain error; pass anything else through."""
    if error.status == RPCStatusCode.NOT_FOUND:
        return IncidentNotFound(f"no incident {workflow_id} in this namespace")
    return error
