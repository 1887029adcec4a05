"""Every Twilio webhook is verified before it touches an incident: 403 and nothing done otherwise."""

from __future__ import annotations

import logging

import pytest

from tests.api.twilio_support import (
    ALICE,
    ALTERNATE_TOKEN,
    PUBLIC_URL,
    TOKEN,
    TwilioFrontDoor,
    inbound_sms,
    signature,
    twiml_messages,
)

FORGED = "not-the-auth-token-at-all-000000"


async def test_forged_missing_and_misdirected_signatures_change_nothing(
    twilio_door: TwilioFrontDoor, caplog: pytest.LogCaptureFixture
) -> None:
    incident = await twilio_door.open()
    await twilio_door.reply_code(incident)
    loopback = str(twilio_door.http.base_url).rstrip("/")
    caplog.set_level(logging.INFO, logger="api")

    refused = [
        await twilio_door.sms(ALICE, "1a", token=FORGED),
        await twilio_door.sms(ALICE, "1a", token=None),
        # Signed for the URL the proxy forwards to, not the one configured on the number.
        await twilio_door.sms(ALICE, "1a", signed_url=f"{loopback}/v1/twilio/sms"),
        await twilio_door.post("/v1/twilio/status", {"MessageStatus": "failed"}, token=FORGED),
        await twilio_door.post("/v1/twilio/voice", {"Digits": "4", "To": ALICE}, token=FORGED),
    ]
    form = inbound_sms(ALICE, "1e")
    tampered = await twilio_door.http.post(
        "/v1/twilio/sms",
        content="&".join(f"{k}={v}" for k, v in {**form, "Body": "1a"}.items()),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(f"{PUBLIC_URL}/v1/twilio/sms", form),
        },
    )

    assert [r.status_code for r in [*refused, tampered]] == [403] * 6
    state = await twilio_door.state(incident, lambda s: True, "status")
    assert state.status == "triggered"
    assert [e.kind for e in state.timeline if e.kind in ("acknowledged", "rejected")] == []
    logged = caplog.text
    assert "/v1/twilio/sms refused" in logged  # the search below can find what it looks for
    for secret in (TOKEN, ALTERNATE_TOKEN, FORGED):
        assert secret not in logged


async def test_the_alternate_token_is_accepted_while_rotating(
    twilio_door: TwilioFrontDoor,
) -> None:
    incident = await twilio_door.open()
    await twilio_door.reply_code(incident)

    answer = await twilio_door.sms(ALICE, "1a", token=ALTERNATE_TOKEN)

    assert twiml_messages(answer) == [f"Acknowledged {incident} (tier 1, acknowledged)."]
