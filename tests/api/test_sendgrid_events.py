"""`POST /v1/sendgrid/events`: SendGrid's Event Webhook, signed with ECDSA as SendGrid signs it,
about messages the real SDK sent to the fake SendGrid (their custom_args come back)."""

from __future__ import annotations

import json
import logging
import socket

import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from temporalio.client import Client, WorkflowHandle

from escalation.incident import IncidentState
from tests.api.conftest import (
    WEBHOOK_KEY,
    PageDoorUnderTest,
    public_key_as_sendgrid_shows_it,
    sendgrid_signed,
    serve,
)
from tests.conftest import EXAMPLE_POLICY
from tests.fakes.providers import SENDGRID_PATH
from tests.polling import poll
from tests.workflows.helpers import start_incident, status, wait_for
from wiring.temporal import DATA_CONVERTER

EVENTS = "/v1/sendgrid/events"


async def client_email(door: PageDoorUnderTest, handle: WorkflowHandle) -> dict:
    """The client_opened email to Acme as SendGrid received it."""
    assert door.providers is not None

    async def sent() -> list[dict]:
        return [
            request.json
            for request in door.providers.requests_to(SENDGRID_PATH)
            if request.json["categories"] == ["client_opened"]
            and request.json["custom_args"]["incident_id"] == handle.id
        ]

    found = await poll(sent, bool, "the client email", every=0.1)
    return found[0]


def bounce(email: dict, **extra: object) -> dict:
    """A bounce event as SendGrid posts it: our custom_args are top-level keys."""
    return {
        "email": email["personalizations"][0]["to"][0]["email"],
        "timestamp": 1764645000,
        "event": "bounce",
        "type": "bounce",
        "status": "5.1.1",
        "reason": "550 5.1.1 The email account that you tried to reach does not exist",
        "sg_event_id": "ZGVsaXZlcmVkLTAtMjQ",
        "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        **email["custom_args"],
    } | extra


def client_record(state: IncidentState, notification_id: str):
    return next(n for n in state.notifications if n.notification_id == notification_id)


async def test_a_bounced_client_update_is_recorded(page_door: PageDoorUnderTest) -> None:
    handle = await start_incident(page_door.worker, severity="critical", clients_affected=["acme"])
    email = await client_email(page_door, handle)
    notification_id = email["custom_args"]["notification_id"]
    unrelated = {"email": "x@example.com", "event": "bounce", "timestamp": 1764645000}
    opened = bounce(email, event="open")
    body = json.dumps([bounce(email), unrelated, opened]).encode()
    answer = await page_door.http.post(EVENTS, content=body, headers=sendgrid_signed(body))
    assert answer.status_code == 200, answer.text
    assert answer.json()["receipts"] == 1
    state = await wait_for(handle, lambda s: client_record(s, notification_id).delivery is not None)
    record = client_record(state, notification_id)
    assert (record.purpose, record.delivery) == ("client_opened", "bounced")
    assert record.delivery_error.startswith("5.1.1: 550 5.1.1 The email account")
    (line,) = [e for e in state.timeline if e.kind == "delivery_receipt"]
    assert line.detail.startswith("email client_opened to ")
    assert "bounced (sendgrid 5.1.1: 550" in line.detail
    assert not [e for e in state.timeline if e.kind == "fallback"]  # clients get no fallback


async def test_a_forged_event_is_refused_and_changes_nothing(
    page_door: PageDoorUnderTest, caplog
) -> None:
    handle = await start_incident(page_door.worker, severity="critical", clients_affected=["acme"])
    email = await client_email(page_door, handle)
    body = json.dumps([bounce(email)]).encode()
    forger = ec.generate_private_key(ec.SECP256R1())
    signed = sendgrid_signed(body)
    attempts = [
        (body, sendgrid_signed(body, forger)),  # another key
        (body.replace(b"bounce", b"dropped"), signed),  # the body changed after signing
        (body, signed | {"X-Twilio-Email-Event-Webhook-Timestamp": "1764645001"}),
        (body, {"Content-Type": "application/json"}),  # unsigned
        (body, signed | {"X-Twilio-Email-Event-Webhook-Signature": "not base64!"}),
    ]
    with caplog.at_level(logging.WARNING, logger="api.sendgrid_events"):
        for content, headers in attempts:
            answer = await page_door.http.post(EVENTS, content=content, headers=headers)
            assert answer.status_code == 403, answer.text
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == len(attempts)
    assert all(
        signed["X-Twilio-Email-Event-Webhook-Signature"] not in r.getMessage() for r in refusals
    )
    state = await status(handle)
    assert all(n.delivery is None for n in state.notifications)
    assert not [e for e in state.timeline if e.kind in ("delivery_receipt", "rejected")]


async def test_temporal_down_is_503_so_sendgrid_retries(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SENDGRID_WEBHOOK_PUBLIC_KEY", public_key_as_sendgrid_shows_it(WEBHOOK_KEY))
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        nobody = f"127.0.0.1:{unused.getsockname()[1]}"
    client = await Client.connect(nobody, data_converter=DATA_CONVERTER, lazy=True)
    service = await serve(client, EXAMPLE_POLICY, "no-worker-needed")
    event = {"event": "bounce", "incident_id": "incident-x", "notification_id": "incident-x/n1"}
    body = json.dumps([event]).encode()
    try:
        async with httpx.AsyncClient(base_url=service.url, timeout=60) as http:
            answer = await http.post(EVENTS, content=body, headers=sendgrid_signed(body))
    finally:
        await service.stop()
    assert answer.status_code == 503, answer.text
