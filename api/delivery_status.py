"""Twilio's status callback, turned into the incident's `delivery_receipt` signal.

Final statuses only: queued, sending, sent, initiated, ringing and in-progress say nothing yet
about the person, and are answered 204 without touching the incident.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from escalation.contract import INCIDENT_PREFIX

log = logging.getLogger(__name__)

RECEIPT_SIGNAL = "delivery_receipt"
Outcome = Literal["delivered", "undelivered", "failed"]

FINAL_STATUSES: dict[str, Outcome] = {
    "delivered": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "completed": "delivered",
    "busy": "undelivered",
    "no-answer": "undelivered",
    "canceled": "failed",
}
"""MessageStatus and CallStatus values that end a message's story, and what they mean for it."""

ERROR_REASONS: dict[str, str] = {
    "30003": "unreachable handset",
    "30004": "message blocked",
    "30005": "unknown or inactive number",
    "30006": "landline or unreachable carrier",
    "30007": "filtered by the carrier",
    "30008": "unknown error",
}
"""Twilio's delivery error codes, named for the timeline (others keep the status alone)."""


def receipt(query: Mapping[str, str], form: Mapping[str, str]) -> dict[str, Any] | None:
    """The signal's JSON object, or None for an intermediate status (or a foreign callback)."""
    status = (form.get("MessageStatus") or form.get("CallStatus") or "").strip().lower()
    outcome = FINAL_STATUSES.get(status)
    notification = query.get("notification", "")
    if outcome is None or not notification or not is_incident_id(query.get("incident", "")):
        return None
    error_code = form.get("ErrorCode") or None
    reason = ERROR_REASONS.get(error_code or "")
    if outcome != "delivered":
        reason = reason or status
    return {
        "notification_id": notification[:200],
        "provider": "twilio",
        "outcome": outcome,
        "error_code": error_code,
        "reason": reason,
    }


def is_incident_id(value: str) -> bool:
    return value.startswith(INCIDENT_PREFIX) and 0 < len(value) <= 300


async def send_receipt(client: Client, incident: str, body: dict[str, Any]) -> None:
    """Returns once Temporal has the signal, or the incident has ended (a receipt changes
    nothing there); any other RPCError is raised, so Twilio hears 503 and may retry."""
    try:
        await client.get_workflow_handle(incident).signal(RECEIPT_SIGNAL, body)
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        log.info("receipt for %s dropped: the incident has ended", incident)
