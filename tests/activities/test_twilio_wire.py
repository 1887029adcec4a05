"""The real Twilio SDK against the fake: the exact requests, and how each answer is classified."""

from __future__ import annotations

import base64
import logging
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from temporalio.exceptions import ApplicationError
from twilio.rest import Client

from activities.provider_errors import RATE_LIMITED, TRANSIENT_FAILURE
from activities.twilio_client import twilio_client
from activities.twilio_transport import TwilioSmsTransport, TwilioVoiceTransport
from escalation.messages import PERMANENT_FAILURE
from tests.activities.support import (
    FROM_NUMBER,
    MESSAGING_SERVICE_SID,
    TO_NUMBER,
    assert_retried,
    rendered,
)
from tests.fakes.providers import (
    CALLS,
    MESSAGES,
    FakeProviders,
    Fault,
    closed_port_url,
    twilio_error,
)


@pytest.fixture
def sms(twilio: Client) -> TwilioSmsTransport:
    return TwilioSmsTransport(twilio, from_number=FROM_NUMBER)


@pytest.fixture
def voice(twilio: Client) -> TwilioVoiceTransport:
    return TwilioVoiceTransport(twilio, from_number=FROM_NUMBER)


def basic_auth(providers: FakeProviders) -> str:
    pair = f"{providers.twilio_account_sid}:{providers.twilio_auth_token}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def send_failing(transport: TwilioSmsTransport | TwilioVoiceTransport) -> ApplicationError:
    channel = "sms" if isinstance(transport, TwilioSmsTransport) else "voice"
    with pytest.raises(ApplicationError) as raised:
        transport.send(rendered(channel))
    return raised.value


def test_sms_from_a_number(sms: TwilioSmsTransport, providers: FakeProviders) -> None:
    message = rendered("sms")

    receipt = sms.send(message)

    [request] = providers.requests
    sid = providers.twilio_account_sid
    assert (request.method, request.path) == ("POST", f"/2010-04-01/Accounts/{sid}/Messages.json")
    assert request.headers["authorization"] == basic_auth(providers)
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.form == {"To": TO_NUMBER, "From": FROM_NUMBER, "Body": message.text}
    assert receipt.status == "sent"
    assert receipt.provider_id and receipt.provider_id.startswith("SM")


def test_sms_through_a_messaging_service(twilio: Client, providers: FakeProviders) -> None:
    transport = TwilioSmsTransport(
        twilio, from_number=FROM_NUMBER, messaging_service_sid=MESSAGING_SERVICE_SID
    )
    message = rendered("sms")

    transport.send(message)

    [request] = providers.requests
    assert request.form == {
        "To": TO_NUMBER,
        "MessagingServiceSid": MESSAGING_SERVICE_SID,
        "Body": message.text,
    }


def test_voice_call_reads_the_incident_and_gathers_one_digit(
    voice: TwilioVoiceTransport, providers: FakeProviders
) -> None:
    message = rendered("voice", title="Checkout <script>alert(1)</script> & co")

    receipt = voice.send(message)

    [request] = providers.requests
    sid = providers.twilio_account_sid
    assert (request.method, request.path) == ("POST", f"/2010-04-01/Accounts/{sid}/Calls.json")
    assert request.headers["authorization"] == basic_auth(providers)
    assert set(request.form) == {"To", "From", "Twiml"}
    assert (request.form["To"], request.form["From"]) == (TO_NUMBER, FROM_NUMBER)
    twiml = ET.fromstring(request.form["Twiml"])
    gathers = twiml.findall("Gather")
    assert [gather.attrib for gather in gathers] == [{"numDigits": "1", "timeout": "5"}] * 2
    said = gathers[0].findtext("Say") or ""
    assert "Checkout <script>alert(1)</script> & co" in said  # escaped on the wire, intact here
    assert said.endswith("Press 1 to acknowledge.")
    assert receipt.provider_id and receipt.provider_id.startswith("CA")


def test_voice_gathers_to_the_ack_url_once_there_is_one(twilio: Client) -> None:
    twiml = ET.fromstring(TwilioVoiceTransport.twiml("hello", "https://x/ack"))

    assert {gather.get("action") for gather in twiml.findall("Gather")} == {"https://x/ack"}


@pytest.mark.parametrize(
    ("code", "reason", "address_usable"),
    [
        (21211, "invalid 'To' phone number", False),
        (21610, "recipient unsubscribed (replied STOP)", True),
        (21614, "'To' number is not a mobile number", True),
    ],
)
def test_known_refusals_are_permanent_and_say_whether_the_number_still_works(
    sms: TwilioSmsTransport, providers: FakeProviders, code: int, reason: str, address_usable: bool
) -> None:
    providers.inject(MESSAGES, twilio_error(400, code, "The 'To' number is not valid."))

    error = send_failing(sms)

    assert (error.type, error.non_retryable) == (PERMANENT_FAILURE, True)
    assert error.message == f"Twilio answered 400 (error {code}): {reason}"
    assert error.details == (
        {"provider": "twilio", "status": 400, "code": code, "address_usable": address_usable},
    )


@pytest.mark.parametrize(("status", "code"), [(400, 21201), (403, 20008), (404, 20404)])
def test_other_client_errors_are_permanent_too(
    voice: TwilioVoiceTransport, providers: FakeProviders, status: int, code: int
) -> None:
    providers.inject(CALLS, twilio_error(status, code, "Some refusal"))

    error = send_failing(voice)

    assert (error.type, error.non_retryable) == (PERMANENT_FAILURE, True)
    assert error.message == (
        f"Twilio answered {status} (error {code}): Unable to create record: Some refusal"
    )


def test_wrong_credentials_are_refused_for_good(providers: FakeProviders) -> None:
    client = twilio_client(providers.twilio_account_sid, "wrong-token", base_url=providers.url)

    error = send_failing(TwilioSmsTransport(client, from_number=FROM_NUMBER))

    assert (error.type, error.non_retryable) == (PERMANENT_FAILURE, True)
    assert "(error 20003)" in error.message


def test_rate_limit_honours_retry_after(sms: TwilioSmsTransport, providers: FakeProviders) -> None:
    providers.inject(MESSAGES, twilio_error(429, 20429, "Too Many Requests", {"Retry-After": "7"}))

    error = send_failing(sms)

    assert (error.type, error.non_retryable) == (RATE_LIMITED, False)
    assert error.next_retry_delay == timedelta(seconds=7)


def test_rate_limit_without_retry_after_uses_the_retry_policy(
    sms: TwilioSmsTransport, providers: FakeProviders
) -> None:
    providers.inject(MESSAGES, twilio_error(429, 20429, "Too Many Requests"))

    error = send_failing(sms)

    assert (error.type, error.non_retryable, error.next_retry_delay) == (RATE_LIMITED, False, None)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried(
    voice: TwilioVoiceTransport, providers: FakeProviders, status: int
) -> None:
    providers.inject(CALLS, Fault(status, {"code": 20500, "message": "Internal", "status": status}))

    error = send_failing(voice)

    assert (error.type, error.non_retryable, error.next_retry_delay) == (
        TRANSIENT_FAILURE,
        False,
        None,
    )


def test_a_refused_connection_is_retried(providers: FakeProviders) -> None:
    client = twilio_client(providers.twilio_account_sid, "token", base_url=closed_port_url())

    error = send_failing(TwilioVoiceTransport(client, from_number=FROM_NUMBER))

    assert_retried(error, "Twilio unreachable: connection failed")


def test_a_retry_after_from_an_earlier_answer_is_not_reused(
    sms: TwilioSmsTransport, providers: FakeProviders
) -> None:
    providers.inject(MESSAGES, Fault(503, headers={"Retry-After": "12"}))
    providers.inject(MESSAGES, Fault(500))

    delays = [send_failing(sms).next_retry_delay, send_failing(sms).next_retry_delay]

    assert delays == [timedelta(seconds=12), None]


def test_the_auth_token_never_reaches_errors_or_logs(
    sms: TwilioSmsTransport, providers: FakeProviders, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = providers.twilio_auth_token
    providers.inject(MESSAGES, twilio_error(400, 21211, f"echo {token}"))
    providers.inject(CALLS, twilio_error(400, 21201, f"echo {token}"))

    errors = [send_failing(sms), send_failing(TwilioVoiceTransport(sms.client, from_number="+1"))]
    sms.send(rendered("sms"))

    assert all(token not in error.message for error in errors)
    assert "[redacted]" in errors[1].message
    assert token not in caplog.text
    assert basic_auth(providers).split()[1] not in caplog.text
