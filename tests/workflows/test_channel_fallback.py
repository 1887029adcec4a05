"""Delivery through the real SendGrid and Twilio SDKs against the local fake, inside workflows:
a refused channel falls back within one attempt; an outage is ridden out without duplicates."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from activities.delivery import Transport
from escalation.contacts import Channel
from escalation.incident import IncidentState
from escalation.logbook import NotificationRecord
from escalation.messages import DeliveryReceipt, RenderedMessage
from tests.conftest import IncidentWorker
from tests.fakes.providers import FakeProviders, Fault, twilio_error
from tests.workflows.helpers import entries, start_incident, wait_for

MESSAGES = "/Messages.json"
CALLS = "/Calls.json"


@pytest.fixture
def provider_transports(providers: FakeProviders) -> dict[Channel, Transport]:
    return providers.transports()


@pytest_asyncio.fixture
async def sms_only_worker(
    time_skipping_env: WorkflowEnvironment,
    make_worker: Callable[..., IncidentWorker],
    provider_transports: dict[Channel, Transport],
    sms_only_policy: Path,
) -> AsyncIterator[IncidentWorker]:
    """A worker paging by SMS only, through the real SDKs against the fake providers."""
    worker = make_worker(time_skipping_env.client, sms_only_policy, provider_transports)
    async with worker.worker:
        yield worker


def accepted(providers: FakeProviders, suffix: str, to: str) -> int:
    """How many messages the provider accepted for one address: the duplicates a person sees."""
    return sum(
        1
        for request, answer in providers.answers
        if request.path.endswith(suffix)
        and answer.status in (200, 201)
        and request.form.get("To") == to
    )


async def paged_until(
    worker: IncidentWorker, channel: Channel
) -> tuple[IncidentState, list[NotificationRecord]]:
    """A critical incident, once Alice's page went out on `channel`: its state and her pages."""
    handle = await start_incident(worker, severity="critical")
    state = await wait_for(
        handle,
        lambda s: any(n.purpose == "page" and n.channel == channel for n in s.notifications),
    )
    alice = [n for n in state.notifications if n.recipient == "Alice Ng" and n.purpose == "page"]
    return state, alice


async def sms_refused(
    providers: FakeProviders, worker: IncidentWorker, code: int, why: str, then: Channel
) -> tuple[IncidentState, list[NotificationRecord]]:
    """Twilio refuses Alice's SMS with `code`: her page goes out on `then` instead."""
    providers.inject(MESSAGES, twilio_error(400, code, why))
    state, alice = await paged_until(worker, then)
    assert [(n.channel, n.status) for n in alice] == [("sms", "failed"), (then, "sent")]
    return state, alice


@dataclass(frozen=True)
class Refusal:
    """Twilio refuses Alice's SMS with `code`; her page goes out on `then`, by `provider_id`."""

    code: int
    why: str
    then: Channel
    provider_id: str
    calls: int
    """Calls placed to her number: none once Twilio says the number is unusable."""


REFUSALS = {
    "an invalid number falls back to email": Refusal(
        21211, "The 'To' number is not a valid phone number.", "email", "fake", 0
    ),
    "an unsubscribed number is called instead": Refusal(
        21610, "Attempt to send to unsubscribed recipient", "voice", "CA", 1
    ),
}


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS)
async def test_a_refused_sms_falls_back_within_one_attempt(
    providers: FakeProviders, sms_only_worker: IncidentWorker, refusal: Refusal
) -> None:
    state, alice = await sms_refused(
        providers, sms_only_worker, refusal.code, refusal.why, refusal.then
    )
    assert f"error {refusal.code}" in (alice[0].error or "")
    assert alice[1].provider_id.startswith(refusal.provider_id)
    assert len(providers.requests_to(MESSAGES)) == 1
    assert len(providers.requests_to(CALLS)) == refusal.calls
    fallback = entries(state, "fallback")[0]
    assert fallback.detail.startswith("sms to Alice Ng failed (")
    assert fallback.detail.endswith(f"trying {refusal.then}")


async def test_a_ten_minute_outage_is_ridden_out_without_a_duplicate_page(
    time_skipping_env: WorkflowEnvironment,
    providers: FakeProviders,
    sms_only_worker: IncidentWorker,
) -> None:
    providers.inject(
        MESSAGES,
        Fault(503, {"code": 20503, "message": "Service unavailable", "status": 503}),
        10_000,
    )
    env = time_skipping_env
    handle = await start_incident(sms_only_worker, severity="critical")
    await env.sleep(timedelta(minutes=9))
    assert accepted(providers, MESSAGES, "+15555550101") == 0
    failed_attempts = len(providers.requests_to(MESSAGES))
    assert failed_attempts > 3
    providers.recover()
    await env.sleep(timedelta(minutes=3))
    state = await wait_for(
        handle,
        lambda s: any(n.recipient == "Alice Ng" and n.status == "sent" for n in s.notifications),
    )
    page = next(n for n in state.notifications if n.recipient == "Alice Ng" and n.purpose == "page")
    assert (page.channel, page.status) == ("sms", "sent")
    assert page.provider_id.startswith("SM")
    assert accepted(providers, MESSAGES, "+15555550101") == 1
    assert entries(state, "fallback") == []


class BrokenSms:
    """A transport with a bug of our own in it (not a provider error): what a template or
    transport bug looks like to the delivery activity."""

    def send(self, message: RenderedMessage) -> DeliveryReceipt:
        raise KeyError("segments")


async def test_a_bug_in_our_own_code_falls_back_at_once_and_says_so(
    time_skipping_env: WorkflowEnvironment, make_worker, provider_transports, sms_only_policy
) -> None:
    broken = provider_transports | {"sms": BrokenSms()}
    worker = make_worker(time_skipping_env.client, sms_only_policy, broken)
    async with worker.worker:
        state, alice = await paged_until(worker, "voice")
    assert [(n.channel, n.status) for n in alice] == [("sms", "failed"), ("voice", "sent")]
    failed = alice[0]
    assert "bug in the escalation service, not the provider: KeyError" in (failed.error or "")
    assert failed.at - state.opened_at < timedelta(minutes=1), "retried instead of failing fast"
    (fallback,) = [e for e in entries(state, "fallback") if "Alice Ng" in e.detail]
    assert "bug in the escalation service" in fallback.detail
    assert fallback.detail.endswith("trying voice")
