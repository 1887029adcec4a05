"""Fixtures for the provider transports: the fake SendGrid/Twilio server and clients aimed at it."""

from __future__ import annotations

import pytest
from sendgrid import SendGridAPIClient
from twilio.rest import Client

from activities.sendgrid_transport import sendgrid_client
from activities.twilio_client import twilio_client
from tests.activities.support import QUICK_TIMEOUT
from tests.fakes.providers import FakeProviders


@pytest.fixture
def sendgrid(providers: FakeProviders) -> SendGridAPIClient:
    """The real SendGrid SDK client, aimed at the fake."""
    return sendgrid_client(providers.sendgrid_api_key, providers.url)


@pytest.fixture
def twilio(providers: FakeProviders) -> Client:
    """The real Twilio SDK client, aimed at the fake, with a short timeout for slow answers."""
    return twilio_client(
        providers.twilio_account_sid,
        providers.twilio_auth_token,
        base_url=providers.url,
        timeout=QUICK_TIMEOUT,
    )
