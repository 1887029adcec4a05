"""A voice page's keypress (TwiML in and out) and Twilio's delivery status callbacks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from activities.twilio_callbacks import keypress_url
from api.server import HttpService
from api.settings import HttpSettings
from escalation.messages import RenderedMessage
from tests.api.twilio_support import (
    ACCOUNT_SID,
    ALICE,
    BOB,
    PUBLIC_URL,
    TOKEN,
    TWILIO_NUMBER,
    TwilioFrontDoor,
    inbound_sms,
    post_signed,
)
from tests.conftest import EXAMPLE_POLICY
from tests.polling import poll
from tests.processes import dev_stack
from wiring.temporal import DATA_CONVERTER


def gather_form(called: str, digits: str) -> dict[str, str]:
    """What Twilio posts to a `<Gather>` action on an outbound call."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": "CA" + "5" * 32,
        "CallStatus": "in-progress",
        "Called": called,
        "Caller": TWILIO_NUMBER,
        "Digits": digits,
        "Direction": "outbound-api",
        "FinishedOnKey": "",
        "From": TWILIO_NUMBER,
        "To": called,
        "msg": "Gather End",
    }


async def press(door: TwilioFrontDoor, incident: str, called: str, digits: str) -> ET.Element:
    """Post the keypress to the URL the call's `<Gather>` carries; the TwiML answer, parsed."""
    page = RenderedMessage(
        notification_id=f"{incident}/n9",
        channel="voice",
        to=ALICE,
        subject="",
        text="",
        incident_id=incident,
        recipient="Alice Ng",
    )
    url = urlsplit(keypress_url(PUBLIC_URL, page) or "")
    response = await door.post(
        url.path, gather_form(called, digits), query=dict(parse_qsl(url.query))
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return ET.fromstring(response.text)


async def test_a_keypress_acknowledges_or_escalates(twilio_door: TwilioFrontDoor) -> None:
    incident = await twilio_door.open()

    menu = await press(twilio_door, incident, ALICE, "9")
    [gather] = menu.findall("Gather")
    assert gather.get("action", "").startswith(f"{PUBLIC_URL}/v1/twilio/voice?incident=")
    assert gather.findtext("Say") == "Press 4 to acknowledge, 5 to escalate."

    acked = await press(twilio_door, incident, ALICE, "4")
    assert acked.findtext("Say") == "Acknowledged. The incident is acknowledged, tier 1. Goodbye."
    assert acked.find("Hangup") is not None
    state = await twilio_door.state(incident, lambda s: s.status == "acknowledged", "acked")
    [entry] = [e for e in state.timeline if e.kind == "acknowledged"]
    assert entry.attribution == "alice via voice"

    escalated = await press(twilio_door, incident, ALICE, "5")
    assert escalated.findtext("Say") == "Escalated. The incident is acknowledged, tier 2. Goodbye."
    again = await press(twilio_door, incident, ALICE, "4")
    assert again.findtext("Say", "").startswith("Nothing was done: already acknowledged by alice")


async def test_a_keypress_from_another_number_does_nothing(twilio_door: TwilioFrontDoor) -> None:
    incident = await twilio_door.open()

    answer = await press(twilio_door, incident, BOB, "4")

    assert answer.findtext("Say") == "This call cannot act on the incident. Goodbye."
    assert (await twilio_door.state(incident, lambda s: True, "status")).status == "triggered"


def status_form(**fields: str) -> dict[str, str]:
    """A message status callback as Twilio posts it."""
    sid = "SM" + "7" * 32
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "From": TWILIO_NUMBER,
        "To": ALICE,
        "MessageSid": sid,
        "SmsSid": sid,
        **fields,
    }


async def receipts(door: TwilioFrontDoor, incident: str) -> list[object]:
    """The `delivery_receipt` signals in the incident's history, decoded."""
    found = []
    async for event in door.client.get_workflow_handle(incident).fetch_history_events():
        if event.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            continue
        attributes = event.workflow_execution_signaled_event_attributes
        if attributes.signal_name == "delivery_receipt":
            found.extend(await door.client.data_converter.decode(attributes.input.payloads))
    return found


async def test_final_statuses_reach_the_incident_as_receipts(twilio_door: TwilioFrontDoor) -> None:
    incident = await twilio_door.open()
    notification = f"{incident}/n1"
    query = {"incident": incident, "notification": notification}

    answers = [
        await twilio_door.post(
            "/v1/twilio/status", status_form(MessageStatus=s, SmsStatus=s), query=query
        )
        for s in ("queued", "sent")
    ]
    failed = status_form(MessageStatus="undelivered", SmsStatus="undelivered", ErrorCode="30003")
    answers.append(await twilio_door.post("/v1/twilio/status", failed, query=query))
    call = {"CallSid": "CA" + "1" * 32, "CallStatus": "no-answer", "AccountSid": ACCOUNT_SID}
    answers.append(await twilio_door.post("/v1/twilio/status", call, query=query))

    assert [a.status_code for a in answers] == [204] * 4
    # A signal that lands while a workflow task runs is written to history when the task ends.
    found = await poll(lambda: receipts(twilio_door, incident), lambda r: len(r) >= 2, "receipts")
    assert found == [
        {
            "notification_id": notification,
            "provider": "twilio",
            "outcome": "undelivered",
            "error_code": "30003",
            "reason": "unreachable handset",
        },
        {
            "notification_id": notification,
            "provider": "twilio",
            "outcome": "undelivered",
            "error_code": None,
            "reason": "no-answer",
        },
    ]


async def test_a_receipt_for_an_ended_incident_is_answered_and_dropped(
    twilio_door: TwilioFrontDoor,
) -> None:
    incident = await twilio_door.open()
    await twilio_door.client.get_workflow_handle(incident).terminate("ended for the test")
    failed = status_form(MessageStatus="failed", SmsStatus="failed", ErrorCode="30008")

    answer = await twilio_door.post(
        "/v1/twilio/status", failed, query={"incident": incident, "notification": f"{incident}/n1"}
    )

    assert answer.status_code == 204, answer.text


@pytest.mark.e2e
async def test_temporal_down_is_503(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """2xx means Temporal has it: with the server stopped, Twilio hears 503 (and retries)."""
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    async with dev_stack(tmp_path / "stack") as stack:
        stack.server.stop()
        client = await Client.connect(stack.address, data_converter=DATA_CONVERTER, lazy=True)
        service = HttpService(
            client,
            HttpSettings(host="127.0.0.1", port=0, public_url=PUBLIC_URL),
            EXAMPLE_POLICY,
            embedded=True,
        )
        await service.start()
        try:
            async with httpx.AsyncClient(base_url=service.url, timeout=60) as http:
                failed = status_form(MessageStatus="failed", SmsStatus="failed")
                query = {"incident": "incident-down", "notification": "incident-down/n1"}
                status = await post_signed(http, "/v1/twilio/status", failed, query=query)
                reply = await post_signed(http, "/v1/twilio/sms", inbound_sms(ALICE, "1a"))
        finally:
            await service.stop()

    assert (status.status_code, reply.status_code) == (503, 503), status.text + reply.text
