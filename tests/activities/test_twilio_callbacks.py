"""With a public URL, Twilio is told where to report delivery and where a call's keypress goes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

from twilio.rest import Client

from activities.twilio_transport import TwilioSmsTransport, TwilioVoiceTransport
from tests.activities.support import FROM_NUMBER, MESSAGING_SERVICE_SID, rendered
from tests.fakes.providers import FakeProviders

PUBLIC = "https://escalation.example.com"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_sms_names_its_status_callback(twilio: Client, providers: FakeProviders) -> None:
    message = rendered("sms")

    TwilioSmsTransport(twilio, from_number=FROM_NUMBER, public_url=PUBLIC).send(message)
    TwilioSmsTransport(twilio, messaging_service_sid=MESSAGING_SERVICE_SID, public_url=PUBLIC).send(
        message
    )

    for request in providers.requests:
        callback = request.form["StatusCallback"]
        assert callback.startswith(f"{PUBLIC}/v1/twilio/status?")
        assert query(callback) == {
            "incident": ["incident-db-primary-down"],
            "notification": [message.notification_id],
        }


def test_without_a_public_url_no_callback_is_asked(
    twilio: Client, providers: FakeProviders
) -> None:
    TwilioSmsTransport(twilio, from_number=FROM_NUMBER).send(rendered("sms"))
    TwilioVoiceTransport(twilio, from_number=FROM_NUMBER).send(rendered("voice"))

    assert all("StatusCallback" not in request.form for request in providers.requests)
    twiml = ET.fromstring(providers.requests[1].form["Twiml"])
    assert all(gather.get("action") is None for gather in twiml.findall("Gather"))


def test_a_call_gathers_the_keypress_for_its_contact(
    twilio: Client, providers: FakeProviders
) -> None:
    message = rendered("voice")

    TwilioVoiceTransport(twilio, from_number=FROM_NUMBER, public_url=PUBLIC).send(message)

    [request] = providers.requests
    assert query(request.form["StatusCallback"])["notification"] == [message.notification_id]
    twiml = ET.fromstring(request.form["Twiml"])
    gathers = twiml.findall("Gather")
    actions = {gather.get("action") for gather in gathers}
    [action] = actions
    assert action.startswith(f"{PUBLIC}/v1/twilio/voice?")
    assert query(action) == {"incident": ["incident-db-primary-down"], "contact": ["alice"]}
    assert (gathers[0].findtext("Say") or "").endswith("Press 4 to acknowledge, 5 to escalate.")
