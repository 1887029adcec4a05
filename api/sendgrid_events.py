"""`POST /v1/sendgrid/events`: SendGrid's signed Event Webhook, turned into delivery receipts.

Every request is verified before it is read: SendGrid signs the timestamp header followed by
the raw body with ECDSA (P-256, SHA-256); the public key is SENDGRID_WEBHOOK_PUBLIC_KEY, as the
SendGrid console shows it (base64 DER). A request that fails gets 403 and changes nothing.

Only events carrying our `custom_args` (incident_id, notification_id: set on every send, see
activities/sendgrid_transport.py) and saying something about delivery become receipts. The
answer is 2xx only once Temporal has every receipt; a 5xx makes SendGrid retry the batch.
"""

from __future__ import annotations

import asyncio
import binascii
import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sendgrid.helpers.eventwebhook import EventWebhook
from temporalio.client import Client
from temporalio.service import RPCError

from api.intake import ACCEPT_TIMEOUT_SECONDS
from escalation.environment import SettingInvalid
from escalation.receipts import ProviderReceipt
from starter.incidents import IncidentNotFound
from starter.page_actions import report_delivery

PUBLIC_KEY_SETTING = "SENDGRID_WEBHOOK_PUBLIC_KEY"
SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"
OUTCOMES = {
    "delivered": "delivered",
    "bounce": "bounced",
    "dropped": "dropped",
    "deferred": "deferred",
}
"""SendGrid's event names -> receipt outcomes; opens, clicks and the rest are not delivery."""

log = logging.getLogger(__name__)

BodyReader = Callable[[Request], Awaitable[bytes]]


def webhook_verifier(environ: Mapping[str, str] | None = None) -> EventWebhook | None:
    """The verifier for the configured key; None while unset (every event is then refused)."""
    key = (os.environ if environ is None else environ).get(PUBLIC_KEY_SETTING, "").strip()
    if not key:
        return None
    try:
        return EventWebhook(key)
    except (ValueError, TypeError, binascii.Error):
        raise SettingInvalid(
            f"{PUBLIC_KEY_SETTING}: expected the Event Webhook verification key as SendGrid "
            "shows it (base64, starting MFkw...)"
        ) from None


def verified(verifier: EventWebhook | None, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether SendGrid signed exactly this body at this timestamp."""
    signature, timestamp = headers.get(SIGNATURE), headers.get(TIMESTAMP)
    if verifier is None or not signature or not timestamp:
        return False
    try:
        return bool(verifier.verify_signature(body.decode(), signature, timestamp))
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return False


def receipts_of(events: Any) -> list[tuple[str, ProviderReceipt]]:
    """(incident id, receipt) for each delivery event of a message we sent."""
    found = []
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict) or event.get("event") not in OUTCOMES:
            continue
        incident_id, notification_id = event.get("incident_id"), event.get("notification_id")
        if not (isinstance(incident_id, str) and isinstance(notification_id, str)):
            continue  # mail this service did not send, on the same SendGrid account
        reason = event.get("reason") or event.get("response")
        code = event.get("status")
        try:
            receipt = ProviderReceipt(
                notification_id=notification_id[:300],
                provider="sendgrid",
                outcome=OUTCOMES[event["event"]],  # type: ignore[arg-type]
                error_code=str(code)[:40] if code else None,
                reason=str(reason)[:500] if reason else None,
            )
        except ValidationError:
            continue  # one odd event must not make SendGrid retry the whole batch forever
        found.append((incident_id, receipt))
    return found


def sendgrid_events(client: Client, read_body: BodyReader) -> APIRouter:
    """The route, bound to the Temporal client; the key is read (and checked) once, here."""
    router = APIRouter(tags=["from the page"])
    verifier = webhook_verifier()

    @router.post("/v1/sendgrid/events", summary="SendGrid Event Webhook (signed)")
    async def events(request: Request) -> JSONResponse:
        body = await read_body(request)
        if not verified(verifier, body, request.headers):
            why = "no public key configured" if verifier is None else "bad or missing signature"
            log.warning("SendGrid event webhook refused (%s) from %s", why, _peer(request))
            return JSONResponse({"status": "forbidden"}, 403)
        try:
            receipts = receipts_of(json.loads(body))
        except ValueError:
            return JSONResponse({"status": "invalid", "message": "not a JSON event list"}, 400)
        try:
            async with asyncio.timeout(ACCEPT_TIMEOUT_SECONDS):
                for incident_id, receipt in receipts:
                    await _hand_over(client, incident_id, receipt)
        except (TimeoutError, RPCError, RuntimeError) as error:  # RuntimeError: lazy connect
            log.warning("receipts not handed to Temporal (%s); SendGrid retries", error)
            return JSONResponse({"status": "unavailable"}, 503)
        return JSONResponse({"status": "accepted", "receipts": len(receipts)}, 200)

    return router


async def _hand_over(client: Client, incident_id: str, receipt: ProviderReceipt) -> None:
    try:
        await report_delivery(client, incident_id, receipt)
    except IncidentNotFound:  # closed since, or never ours: a retry would not change that
        log.info("receipt for %s: no such incident, ignored", incident_id)


def _peer(request: Request) -> str:
    return request.client.host if request.client else "unknown"
