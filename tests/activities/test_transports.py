"""Which transport each channel gets from the environment, and what the worker log says about it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from activities.outbox_transport import OutboxTransport
from activities.sendgrid_transport import SendGridTransport
from activities.transports import TransportConfigError, transports_from_environment
from activities.twilio_transport import TwilioSmsTransport, TwilioVoiceTransport
from tests.activities.support import EMAIL_FROM, FROM_NUMBER, MESSAGING_SERVICE_SID

API_KEY = "SG.secret-key-value"
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "secret-auth-token-value"
TWILIO = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN}


@pytest.fixture(autouse=True)
def outbox_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALATION_OUTBOX", str(tmp_path / "outbox.jsonl"))


def test_without_credentials_every_channel_writes_to_the_outbox_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="activities.transports")

    transports = transports_from_environment({})

    assert all(isinstance(transports[c], OutboxTransport) for c in ("email", "sms", "voice"))
    outbox_lines = [r.getMessage() for r in caplog.records if "outbox" in r.getMessage()]
    assert [line.split(":")[0] for line in outbox_lines] == ["email", "sms", "voice"]


def test_full_credentials_pick_the_providers(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    environ = {
        "SENDGRID_API_KEY": API_KEY,
        "ESCALATION_EMAIL_FROM": EMAIL_FROM,
        "SENDGRID_BASE_URL": "http://user:pw@127.0.0.1:9/",
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        **TWILIO,
    }

    transports = transports_from_environment(environ)

    assert isinstance(transports["email"], SendGridTransport)
    assert isinstance(transports["sms"], TwilioSmsTransport)
    assert isinstance(transports["voice"], TwilioVoiceTransport)
    assert "via http://127.0.0.1:9" in caplog.text
    for secret in (API_KEY, AUTH_TOKEN, "user:pw"):
        assert secret not in caplog.text


def test_a_messaging_service_sends_sms_but_cannot_call() -> None:
    environ = {"TWILIO_MESSAGING_SERVICE_SID": MESSAGING_SERVICE_SID, **TWILIO}

    transports = transports_from_environment(environ)

    assert isinstance(transports["sms"], TwilioSmsTransport)
    assert isinstance(transports["voice"], OutboxTransport)
    assert isinstance(transports["email"], OutboxTransport)


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({"SENDGRID_API_KEY": API_KEY}, "ESCALATION_EMAIL_FROM"),
        ({"TWILIO_ACCOUNT_SID": ACCOUNT_SID}, "TWILIO_AUTH_TOKEN"),
        (TWILIO, "TWILIO_FROM_NUMBER nor TWILIO_MESSAGING_SERVICE_SID"),
    ],
)
def test_half_configured_providers_stop_the_worker(environ: dict[str, str], complaint: str) -> None:
    with pytest.raises(TransportConfigError, match=complaint) as raised:
        transports_from_environment(environ)

    assert API_KEY not in str(raised.value)
