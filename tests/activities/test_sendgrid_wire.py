"""The real SendGrid SDK against the fake: the exact request, and how each answer is classified."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from sendgrid import SendGridAPIClient
from temporalio.exceptions import ApplicationError

from activities.provider_errors import RATE_LIMITED, TRANSIENT_FAILURE
from activities.sendgrid_transport import SendGridTransport, sendgrid_client
from escalation.messages import PERMANENT_FAILURE
from tests.activities.support import (
    EMAIL_FROM,
    QUICK_TIMEOUT,
    TO_EMAIL,
    assert_retried,
    rendered,
)
from tests.fakes.providers import (
    SENDGRID_PATH,
    FakeProviders,
    Fault,
    closed_port_url,
    sendgrid_error,
)


@pytest.fixture
def transport(sendgrid: SendGridAPIClient) -> SendGridTransport:
    return SendGridTransport(sendgrid, EMAIL_FROM, timeout=QUICK_TIMEOUT)


def send_failing(transport: SendGridTransport) -> ApplicationError:
    with pytest.raises(ApplicationError) as raised:
        transport.send(rendered("email"))
    return raised.value


def test_mail_send_request_is_exactly_what_sendgrid_expects(
    transport: SendGridTransport, providers: FakeProviders
) -> None:
    message = rendered("email")

    receipt = transport.send(message)

    [request] = providers.requests
    assert (request.method, request.path) == ("POST", SENDGRID_PATH)
    assert request.headers["authorization"] == f"Bearer {providers.sendgrid_api_key}"
    assert request.content_type == "application/json"
    assert request.json == {
        "personalizations": [{"to": [{"email": TO_EMAIL}]}],
        "from": {"email": "escalation@example.com", "name": "Escalation"},
        "subject": "[critical] You are paged: billing-db: Primary database unreachable",
        "content": [
            {"type": "text/plain", "value": message.text},
            {"type": "text/html", "value": message.html},
        ],
        "custom_args": {
            "incident_id": "incident-db-primary-down",
            "notification_id": "incident-db-primary-down/email/1",
        },
        "categories": ["page"],
    }
    assert receipt.status == "sent"
    assert receipt.provider_id and receipt.provider_id.startswith("fake")


@pytest.mark.parametrize("status", [400, 401, 403, 413, 404])
def test_client_errors_are_permanent_and_name_sendgrids_reason(
    transport: SendGridTransport, providers: FakeProviders, status: int
) -> None:
    providers.inject(SENDGRID_PATH, sendgrid_error(status, "The from address is not verified"))

    error = send_failing(transport)

    assert error.type == PERMANENT_FAILURE
    assert error.non_retryable
    assert error.message == f"SendGrid answered {status}: The from address is not verified"
    assert error.details == ({"provider": "sendgrid", "status": status, "address_usable": True},)


def test_a_wrong_api_key_is_refused_for_good(providers: FakeProviders) -> None:
    transport = SendGridTransport(sendgrid_client("SG.wrong", providers.url), EMAIL_FROM)

    error = send_failing(transport)

    assert (error.type, error.non_retryable) == (PERMANENT_FAILURE, True)
    assert "401" in error.message
    assert "SG.wrong" not in error.message


def test_rate_limit_retries_when_the_limit_resets(
    transport: SendGridTransport, providers: FakeProviders
) -> None:
    reset = int(time.time()) + 30
    providers.inject(
        SENDGRID_PATH,
        sendgrid_error(429, "too many requests", {"X-RateLimit-Reset": str(reset)}),
    )

    error = send_failing(transport)

    assert (error.type, error.non_retryable) == (RATE_LIMITED, False)
    assert error.next_retry_delay is not None
    assert timedelta(seconds=25) <= error.next_retry_delay <= timedelta(seconds=31)


def test_rate_limit_without_headers_leaves_the_delay_to_the_retry_policy(
    transport: SendGridTransport, providers: FakeProviders
) -> None:
    providers.inject(SENDGRID_PATH, sendgrid_error(429, "too many requests"))

    error = send_failing(transport)

    assert (error.type, error.non_retryable, error.next_retry_delay) == (RATE_LIMITED, False, None)


def test_rate_limit_delay_is_capped(transport: SendGridTransport, providers: FakeProviders) -> None:
    far_future = str(int(time.time()) + 86_400)
    providers.inject(SENDGRID_PATH, Fault(429, headers={"X-RateLimit-Reset": far_future}))

    assert send_failing(transport).next_retry_delay == timedelta(minutes=10)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(
    transport: SendGridTransport, providers: FakeProviders, status: int
) -> None:
    providers.inject(SENDGRID_PATH, Fault(status))

    error = send_failing(transport)

    assert (error.type, error.non_retryable) == (TRANSIENT_FAILURE, False)
    assert error.message.startswith(f"SendGrid answered {status}")


def test_a_refused_connection_is_retried() -> None:
    transport = SendGridTransport(sendgrid_client("SG.key", closed_port_url()), EMAIL_FROM)

    assert_retried(send_failing(transport), "SendGrid unreachable: connection refused")


def test_the_api_key_never_reaches_errors_or_logs(
    providers: FakeProviders, caplog: pytest.LogCaptureFixture
) -> None:
    logging.getLogger("python_http_client").setLevel(logging.NOTSET)  # as in a fresh process
    caplog.set_level(logging.DEBUG)
    key = providers.sendgrid_api_key
    transport = SendGridTransport(sendgrid_client(key, providers.url), EMAIL_FROM)
    providers.inject(SENDGRID_PATH, sendgrid_error(400, f"bad request from key {key}"))

    error = send_failing(transport)
    transport.send(rendered("email"))

    assert key not in error.message
    assert "[redacted]" in error.message
    assert key not in caplog.text
    assert not logging.getLogger("python_http_client.client").isEnabledFor(logging.DEBUG)
