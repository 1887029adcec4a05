"""Delivery receipts on the time-skipping server: a page the provider accepted but could not
deliver falls back to the contact's next channel; other outcomes are recorded only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from escalation.incident import IncidentState
from escalation.logbook import NotificationRecord
from tests.fakes.providers import FakeProviders
from tests.workflows.helpers import entries, mails_to, start_incident, wait_for

ALICE_PHONE = "+15555550101"


def alice_pages(state: IncidentState) -> list[NotificationRecord]:
    return [n for n in state.notifications if n.recipient == "Alice Ng" and n.purpose == "page"]


@pytest_asyncio.fixture
async def paged(
    time_skipping_env: WorkflowEnvironment, make_worker, providers, sms_only_policy
) -> AsyncIterator[tuple[WorkflowHandle, NotificationRecord]]:
    """A critical incident whose SMS page to Alice went out; its worker runs during the test."""
    worker = make_worker(time_skipping_env.client, sms_only_policy, providers.transports())
    async with worker.worker:
        handle = await start_incident(worker, severity="critical")
        state = await wait_for(handle, lambda s: any(n.status == "sent" for n in alice_pages(s)))
        (sms,) = alice_pages(state)
        assert (sms.channel, sms.to) == ("sms", ALICE_PHONE)
        yield handle, sms


def emails_to_alice(providers: FakeProviders) -> list[dict]:
    return mails_to(providers, "alice@example.com")


def receipt(notification_id: str, outcome: str, **extra: object) -> dict[str, object]:
    return {"notification_id": notification_id, "provider": "twilio", "outcome": outcome} | extra


async def test_an_undelivered_sms_page_falls_back_to_email_within_one_attempt(
    paged, providers
) -> None:
    handle, sms = paged
    assert emails_to_alice(providers) == []
    undelivered = receipt(
        sms.notification_id, "undelivered", error_code="30003", reason="Unreachable handset"
    )
    await handle.signal("delivery_receipt", undelivered)
    await handle.signal("delivery_receipt", undelivered)  # webhooks arrive at least once
    state = await wait_for(handle, lambda s: len(alice_pages(s)) == 2)
    first, fallback = alice_pages(state)
    assert (first.delivery, first.delivery_error) == ("undelivered", "30003: Unreachable handset")
    assert (fallback.channel, fallback.status, fallback.to) == (
        "email",
        "sent",
        "alice@example.com",
    )
    (line,) = entries(state, "delivery_receipt")
    assert line.detail == "sms page to Alice Ng: undelivered (twilio 30003: Unreachable handset)"
    assert [e.detail for e in entries(state, "fallback")] == [
        "sms to Alice Ng not delivered; trying email"
    ]
    assert len(emails_to_alice(providers)) == 1  # one attempt; no second fallback for the repeat


async def test_delivered_and_deferred_are_recorded_only(paged, providers) -> None:
    handle, sms = paged
    await handle.signal("delivery_receipt", receipt(sms.notification_id, "deferred"))
    await wait_for(handle, lambda s: alice_pages(s)[0].delivery == "deferred")
    await handle.signal("delivery_receipt", receipt(sms.notification_id, "delivered"))
    state = await wait_for(handle, lambda s: alice_pages(s)[0].delivery == "delivered")
    assert len(alice_pages(state)) == 1
    assert entries(state, "fallback") == []
    assert [e.detail.rsplit(": ", 1)[1] for e in entries(state, "delivery_receipt")] == [
        "deferred (twilio)",
        "delivered (twilio)",
    ]


async def test_a_receipt_after_the_acknowledgment_starts_no_page(paged, providers) -> None:
    handle, sms = paged
    await handle.execute_update("acknowledge", {"by": "alice"})
    await handle.signal("delivery_receipt", receipt(sms.notification_id, "failed"))
    state = await wait_for(handle, lambda s: alice_pages(s)[0].delivery == "failed")
    assert len(alice_pages(state)) == 1
    assert entries(state, "fallback") == []


async def test_malformed_and_unknown_receipts_are_rejected_not_raised(paged, providers) -> None:
    handle, sms = paged
    await handle.signal("delivery_receipt", "undelivered")
    await handle.signal("delivery_receipt", receipt(sms.notification_id, "lost"))
    await handle.signal("delivery_receipt", receipt(f"{handle.id}/n999", "undelivered"))
    state = await wait_for(handle, lambda s: len(entries(s, "rejected")) == 3)
    not_an_object, bad_outcome, unknown = (e.detail for e in entries(state, "rejected"))
    assert not_an_object.startswith("delivery_receipt: ")
    assert "outcome" in bad_outcome
    assert unknown == f"delivery_receipt: no message {handle.id}/n999 in this incident"
    assert alice_pages(state)[0].delivery is None
    assert len(alice_pages(state)) == 1
