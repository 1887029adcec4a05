"""What every provider transport does with an answer that is not a success, through the real
SDK against the fake: the same rules hold for SendGrid and for Twilio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from temporalio.exceptions import ApplicationError

from activities.delivery import Transport
from activities.sendgrid_transport import SendGridTransport
from activities.twilio_transport import TwilioSmsTransport
from escalation.contacts import Channel
from escalation.messages import DeliveryReceipt
from tests.activities.support import (
    EMAIL_FROM,
    FROM_NUMBER,
    QUICK_TIMEOUT,
    assert_times_out,
    rendered,
)
from tests.fakes.providers import MESSAGES, SENDGRID_PATH, FakeProviders, Fault, slow


@dataclass(frozen=True)
class Wire:
    """One provider's transport, the path it posts to, and the name its errors give it."""

    provider: str
    path: str
    channel: Channel
    transport: Transport

    def send(self) -> DeliveryReceipt:
        return self.transport.send(rendered(self.channel))

    def send_failing(self) -> ApplicationError:
        with pytest.raises(ApplicationError) as raised:
            self.send()
        return raised.value


@pytest.fixture(params=["SendGrid", "Twilio"])
def wire(request: pytest.FixtureRequest) -> Wire:
    """Each provider in turn; the SDK clients come from tests/activities/conftest.py."""
    if request.param == "SendGrid":
        sendgrid = request.getfixturevalue("sendgrid")
        transport = SendGridTransport(sendgrid, EMAIL_FROM, timeout=QUICK_TIMEOUT)
        return Wire("SendGrid", SENDGRID_PATH, "email", transport)
    twilio = request.getfixturevalue("twilio")
    return Wire("Twilio", MESSAGES, "sms", TwilioSmsTransport(twilio, from_number=FROM_NUMBER))


def test_503_with_retry_after_is_retried_after_that_delay(
    wire: Wire, providers: FakeProviders
) -> None:
    providers.inject(wire.path, Fault(503, headers={"Retry-After": "7"}))

    assert wire.send_failing().next_retry_delay == timedelta(seconds=7)


def test_a_slow_answer_times_out_and_is_retried(wire: Wire, providers: FakeProviders) -> None:
    providers.inject(wire.path, slow(30))

    assert_times_out(wire.send_failing, providers, wire.provider)


def test_failures_then_success_each_reach_the_provider(
    wire: Wire, providers: FakeProviders
) -> None:
    """No attempt is answered from a remembered failure: each one goes out on the wire."""
    providers.inject(wire.path, Fault(500), times=2)

    wire.send_failing()
    wire.send_failing()
    receipt = wire.send()

    assert receipt.status == "sent"
    assert len(providers.requests_to(wire.path)) == 3
