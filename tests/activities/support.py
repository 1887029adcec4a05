"""Messages, settings and checks shared by the transport tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from temporalio.exceptions import ApplicationError

from activities.message_rendering import render
from activities.provider_errors import TRANSIENT_FAILURE
from escalation.actions import MessageFacts, Purpose
from escalation.contacts import Channel
from escalation.messages import OutboundMessage, RenderedMessage
from tests.fakes.providers import FakeProviders

EMAIL_FROM = "Escalation <escalation@example.com>"
FROM_NUMBER = "+15555550100"
MESSAGING_SERVICE_SID = "MG" + "fedcba9876543210" * 2
TO_NUMBER = "+15555550101"
TO_EMAIL = "alice@example.com"
QUICK_TIMEOUT = 0.5
"""Client timeout for slow-answer tests: ample on loopback, short enough to keep the suite fast."""

OPENED = datetime(2026, 11, 22, 14, 5, tzinfo=UTC)


def facts(**changes: object) -> MessageFacts:
    """A critical database incident, with any field replaced."""
    values: dict[str, object] = {
        "incident_id": "incident-db-primary-down",
        "title": "Primary database unreachable",
        "service": "billing-db",
        "severity": "critical",
        "status": "triggered",
        "tier_name": "Tier 1 frontline",
        "opened_at": OPENED,
        "ack_due": OPENED + timedelta(minutes=15),
        "resolve_due": OPENED + timedelta(hours=4),
    }
    return MessageFacts.model_validate(values | changes)


def outbound(
    channel: Channel, purpose: Purpose = "page", **fact_changes: object
) -> OutboundMessage:
    """One message to Alice on `channel`."""
    return OutboundMessage(
        notification_id=f"incident-db-primary-down/{channel}/1",
        purpose=purpose,
        channel=channel,
        recipient="alice",
        address=TO_EMAIL if channel == "email" else TO_NUMBER,
        facts=facts(**fact_changes),
    )


def rendered(
    channel: Channel, purpose: Purpose = "page", **fact_changes: object
) -> RenderedMessage:
    return render(outbound(channel, purpose, **fact_changes))


def assert_times_out(
    send: Callable[[], ApplicationError], providers: FakeProviders, provider: str
) -> None:
    """A provider that answers too late: the send gives up within the timeout and is retried."""
    started = time.monotonic()

    error = send()

    assert time.monotonic() - started < 5
    assert len(providers.wait_for_requests(1)) == 1  # it did arrive; the answer came too late
    assert_retried(error, f"{provider} unreachable: timed out")


def assert_retried(error: ApplicationError, message: str) -> None:
    """A transient failure: the activity's retry policy tries again."""
    assert (error.type, error.non_retryable) == (TRANSIENT_FAILURE, False)
    assert error.message == message
