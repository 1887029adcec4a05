"""The client side of acting from the page itself: a signed link's verb, a provider's receipt.

The HTTP service reaches incidents only through these, by the exact workflow id the link or the
message named (`incident-<key>~N` included), never by a key that a later incident may reuse.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from escalation.contract import CommandResult
from escalation.incident import IncidentState
from escalation.link_actions import ACT_BY_LINK, LinkAction
from escalation.receipts import DELIVERY_RECEIPT, ProviderReceipt
from starter.incidents import QUERY_TIMEOUT, IncidentNotFound, VerbRefused
from starter.incidents import not_found as _domain_error

INCIDENT_PREFIX = "incident-"


def _incident(client: Client, workflow_id: str) -> Any:
    """A handle on an incident workflow; any other workflow id is not found."""
    if not workflow_id.startswith(INCIDENT_PREFIX):
        raise IncidentNotFound(f"{workflow_id} is not an incident")
    return client.get_workflow_handle(workflow_id)


async def act_by_link(client: Client, action: LinkAction) -> CommandResult:
    """Run the link's verb on its incident; VerbRefused says why it cannot."""
    handle = _incident(client, action.incident_id)
    try:
        return await handle.execute_update(
            ACT_BY_LINK, action.model_dump(mode="json"), result_type=CommandResult
        )
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        reason = getattr(cause, "message", None) or str(cause or error)
        raise VerbRefused(reason.removeprefix(f"{ACT_BY_LINK}: ")) from None
    except RPCError as error:
        raise _domain_error(error, handle.id) from None


async def incident_for_link(client: Client, workflow_id: str) -> IncidentState | None:
    """The incident a link names as it stands (None while it is still opening)."""
    handle = _incident(client, workflow_id)
    try:
        return await handle.query("status", result_type=IncidentState, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as error:
        raise _domain_error(error, handle.id) from None


async def report_delivery(client: Client, incident_id: str, receipt: ProviderReceipt) -> None:
    """Hand a provider's receipt to the incident that sent the message (returns once Temporal
    has it)."""
    handle = _incident(client, incident_id)
    try:
        await handle.signal(DELIVERY_RECEIPT, receipt.model_dump(mode="json"))
    except RPCError as error:
        raise _domain_error(error, handle.id) from None
