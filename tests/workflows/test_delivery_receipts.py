"""Delivery receipts on the time-skipping server: a page the provider accepted but could not
deliver falls back to the contact's next channel; other outcomes are recorded only."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from escalation.incident import IncidentState
from escalation.logbook import NotificationRecord
from tests.fakes.providers import FakeProviders, slow
from tests.polling import poll
from tests.workflows.helpers import entries, mails_to, start_incident, status, wait_for

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


SMS_HOLD_SECONDS = 5.0
"""The provider holds the SMS page this long (under the SDK's 10 s timeout): the receipt is
signalled while the send is on the wire, before the incident can have recorded it."""


async def test_a_receipt_that_outruns_its_message_waits_for_it_then_falls_back(
    time_skipping_env: WorkflowEnvironment, make_worker, providers, sms_only_policy
) -> None:
    providers.inject("/Messages.json", slow(SMS_HOLD_SECONDS))
    worker = make_worker(time_skipping_env.client, sms_only_policy, providers.transports())
    async with worker.worker:
        handle = await start_incident(worker, severity="critical")
        await poll(
            lambda: asyncio.to_thread(providers.requests_to, "/Messages.json"),
            bool,
            "the SMS page on the wire",
        )
        notification_id, scheduled = await page_scheduled(handle, ALICE_PHONE)
        assert alice_pages(await status(handle)) == []  # not recorded yet
        undelivered = receipt(notification_id, "undelivered", error_code="30003")
        await handle.signal("delivery_receipt", undelivered)

        state = await wait_for(handle, lambda s: len(alice_pages(s)) == 2)
        history = [event async for event in handle.fetch_history_events()]

    first, fallback = alice_pages(state)
    assert (first.notification_id, first.delivery) == (notification_id, "undelivered")
    assert (fallback.channel, fallback.status) == ("email", "sent")
    assert entries(state, "rejected") == []
    signalled = next(
        e.event_id
        for e in history
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        and e.workflow_execution_signaled_event_attributes.signal_name == "delivery_receipt"
    )
    returned = next(
        e.event_id
        for e in history
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
        and e.activity_task_completed_event_attributes.scheduled_event_id == scheduled
    )
    assert signalled < returned  # the receipt did outrun its message


async def page_scheduled(handle: WorkflowHandle, address: str) -> tuple[str, int]:
    """The notification id and scheduled event of the delivery to `address`, read from the
    history: the incident records a message only once its delivery has returned."""
    async for event in handle.fetch_history_events():
        scheduled = event.activity_task_scheduled_event_attributes
        if event.event_type != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED or (
            scheduled.activity_type.name != "deliver_notification"
        ):
            continue
        for payload in scheduled.input.payloads:
            found = _message_to(json.loads(payload.data), address)
            if found is not None:
                return found, event.event_id
    raise AssertionError(f"no delivery to {address} scheduled in {handle.id}")


def _message_to(value: Any, address: str) -> str | None:
    if isinstance(value, dict):
        if value.get("address") == address and isinstance(value.get("notification_id"), str):
            return value["notification_id"]
        value = list(value.values())
    if isinstance(value, list):
        return next((f for item in value if (f := _message_to(item, address))), None)
    return None
