"""The delivery activity as the worker builds it from the environment, against the fake providers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.testing import ActivityEnvironment

from activities.delivery import DeliveryActivities
from activities.transports import transports_from_environment
from escalation.contacts import Channel
from escalation.messages import OUR_BUG, PERMANENT_FAILURE, DeliveryReceipt, RenderedMessage
from tests.activities.support import EMAIL_FROM, FROM_NUMBER, outbound
from tests.fakes.providers import CALLS, MESSAGES, SENDGRID_PATH, FakeProviders, twilio_error


@pytest.fixture
def delivery(
    providers: FakeProviders, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> DeliveryActivities:
    monkeypatch.setenv("ESCALATION_OUTBOX", str(tmp_path / "outbox.jsonl"))
    environ = {
        "SENDGRID_API_KEY": providers.sendgrid_api_key,
        "ESCALATION_EMAIL_FROM": EMAIL_FROM,
        "SENDGRID_BASE_URL": providers.url,
        "TWILIO_ACCOUNT_SID": providers.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": providers.twilio_auth_token,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_BASE_URL": providers.url,
    }
    return DeliveryActivities(transports_from_environment(environ))


@pytest.mark.parametrize(
    ("channel", "provider"),
    [("email", (SENDGRID_PATH, "fake")), ("sms", (MESSAGES, "SM")), ("voice", (CALLS, "CA"))],
)
def test_each_channel_reaches_its_provider(
    delivery: DeliveryActivities,
    providers: FakeProviders,
    tmp_path: Path,
    channel: Channel,
    provider: tuple[str, str],
) -> None:
    path, id_prefix = provider
    receipt = ActivityEnvironment().run(delivery.deliver_notification, outbound(channel))

    assert receipt.status == "sent"
    assert receipt.provider_id and receipt.provider_id.startswith(id_prefix)
    assert [request.path.endswith(path) for request in providers.requests] == [True]
    assert not (tmp_path / "outbox.jsonl").exists()


def test_a_refusal_leaves_the_activity_as_a_non_retryable_error(
    delivery: DeliveryActivities, providers: FakeProviders
) -> None:
    providers.inject(
        MESSAGES, twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")
    )

    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(delivery.deliver_notification, outbound("sms"))

    assert (raised.value.type, raised.value.non_retryable) == (PERMANENT_FAILURE, True)


def test_concurrent_deliveries_share_the_clients_safely(
    delivery: DeliveryActivities, providers: FakeProviders
) -> None:
    """The worker runs deliveries on a thread pool, all through one SDK client per provider."""
    messages = [
        outbound(channel).model_copy(update={"notification_id": f"n-{channel}-{i}"})
        for i in range(10)
        for channel in ("email", "sms")
    ]
    environment = ActivityEnvironment()

    with ThreadPoolExecutor(8) as pool:
        receipts = list(
            pool.map(lambda m: environment.run(delivery.deliver_notification, m), messages)
        )

    assert len({receipt.provider_id for receipt in receipts}) == len(messages)
    sent_ids = {
        request.json["custom_args"]["notification_id"]
        for request in providers.wait_for_requests(len(messages))
        if request.path == SENDGRID_PATH
    }
    assert sent_ids == {m.notification_id for m in messages if m.channel == "email"}


class Raising:
    """A transport that raises what it is given: a bug of ours, or Temporal's own cancellation."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def send(self, message: RenderedMessage) -> DeliveryReceipt:
        raise self.error


def test_a_bug_in_our_own_code_is_final_and_named_without_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    delivery = DeliveryActivities({"sms": Raising(KeyError("SG.secret-looking-text"))})

    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(delivery.deliver_notification, outbound("sms"))

    assert (raised.value.type, raised.value.non_retryable) == (OUR_BUG, True)
    assert raised.value.message.startswith(
        "bug in the escalation service, not the provider: KeyError at test_delivery_activity.py:"
    )
    assert "secret-looking" not in raised.value.message
    assert "failed in our own code" in caplog.text


def test_the_workers_cancellation_is_not_mistaken_for_a_bug() -> None:
    """On shutdown the SDK raises CancelledError into the activity's thread: it must pass."""
    delivery = DeliveryActivities({"sms": Raising(CancelledError("worker shutting down"))})

    with pytest.raises(CancelledError):
        ActivityEnvironment().run(delivery.deliver_notification, outbound("sms"))
