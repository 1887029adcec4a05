"""A storm of incidents paging one phone: GoAlert's 5 SMS per 15 minutes hold across incidents,
the rest go out as one bundle when the window allows, and every incident says what happened."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from activities.outbox import Outbox
from escalation.incident import IncidentState
from escalation.logbook import NotificationRecord
from escalation.throttle import ThrottleState, throttle_workflow_id
from tests.conftest import IncidentWorker
from tests.workflows.helpers import start_incident, status, wait_for, workflow_task_failures
from workflows.incident import IncidentWorkflow
from workflows.throttle import ContactThrottleWorkflow

CRITICAL = {"clients_affected": ["acme", "globex"]}
ALICE_PHONE = "+15555550101"
ALICE_EMAIL = "alice@example.com"


def sms_to_alice(state: IncidentState) -> list[NotificationRecord]:
    return [n for n in state.notifications if n.purpose == "page" and n.to == ALICE_PHONE]


def settled(state: IncidentState) -> bool:
    """Alice's SMS page was sent or is held, and her email page went out."""
    emails = [n for n in state.notifications if n.purpose == "page" and n.to == ALICE_EMAIL]
    return bool(sms_to_alice(state)) and bool(emails)


def outbox_to(outbox: Outbox, address: str) -> list[dict[str, object]]:
    return [line for line in outbox.read() if line["to"] == address]


async def open_storm(worker, count: int) -> list[WorkflowHandle]:
    handles = [await start_incident(worker, **CRITICAL) for _ in range(count)]
    for handle in handles:
        await wait_for(handle, settled)
    return handles


async def test_eight_incidents_send_five_sms_now_and_bundle_three_after_fifteen_minutes(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker, outbox: Outbox
) -> None:
    env = time_skipping_env
    handles = await open_storm(worker, 8)
    throttle = worker.track(throttle_workflow_id("sms", ALICE_PHONE, worker.task_queue))

    sent_now = outbox_to(outbox, ALICE_PHONE)
    assert len(sent_now) == 5
    assert len(outbox_to(outbox, ALICE_EMAIL)) == 8  # email is never throttled
    states = [await status(handle) for handle in handles]
    first = [sms_to_alice(state) for state in states]
    assert sorted(records[0].status for records in first) == ["outbox"] * 5 + ["throttled"] * 3
    held = [records[0] for records in first if records[0].status == "throttled"]
    opened = min(state.opened_at for state in states)
    for record in held:
        assert record.held_until is not None
        assert (
            timedelta(minutes=15) <= record.held_until - opened < timedelta(minutes=15, seconds=1)
        )
        assert "5 per 15m reached" in (record.error or "")
    for state in states:  # the email page went out at once, not behind the held SMS
        email = next(n for n in state.notifications if n.to == ALICE_EMAIL)
        assert email.status == "outbox" and email.at - state.opened_at < timedelta(seconds=1)
    window = await throttle.query("status", result_type=ThrottleState)
    assert len(window.sent) == 5 and len(window.held) == 3

    await env.sleep(timedelta(minutes=16))
    after = [await wait_for(h, lambda s: len(sms_to_alice(s)) >= 1 and _final(s)) for h in handles]

    to_alice = outbox_to(outbox, ALICE_PHONE)
    assert len(to_alice) == 6  # five pages and one bundle
    bundle = to_alice[-1]
    assert str(bundle["text"]).startswith("[CRITICAL] 3 pages held by rate limit: ")
    bundle_id = str(bundle["notification_id"])
    assert bundle_id.endswith("/b1")
    for state in after:
        records = sms_to_alice(state)
        if records[0].status == "outbox":
            assert len(records) == 1 and records[0].bundle_id is None
            continue
        throttled, delivered = records
        assert throttled.status == "throttled"
        assert delivered.status == "outbox" and delivered.bundle_id == bundle_id
        assert delivered.notification_id == throttled.notification_id
        assert delivered.at == throttled.held_until or (
            timedelta(0) <= delivered.at - throttled.held_until < timedelta(seconds=1)
        )


def _final(state: IncidentState) -> bool:
    return sms_to_alice(state)[-1].status != "throttled"


async def test_an_acknowledged_incident_withdraws_its_held_page(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker, outbox: Outbox
) -> None:
    env = time_skipping_env
    handles = await open_storm(worker, 6)
    worker.track(throttle_workflow_id("sms", ALICE_PHONE, worker.task_queue))
    held = [h for h in handles if sms_to_alice(await status(h))[0].status == "throttled"]
    assert len(held) == 1
    await held[0].execute_update("acknowledge", {"by": "alice"})
    state = await wait_for(held[0], lambda s: sms_to_alice(s)[-1].status == "cancelled")
    assert [n.status for n in sms_to_alice(state)] == ["throttled", "cancelled"]

    await env.sleep(timedelta(minutes=20))
    assert len(outbox_to(outbox, ALICE_PHONE)) == 5  # nothing left to bundle
    state = await status(held[0])
    assert [n.status for n in sms_to_alice(state)] == ["throttled", "cancelled"]


async def test_a_new_worker_replays_the_throttle_and_the_incidents_from_history(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker, outbox: Outbox
) -> None:
    """The window and the held pages are workflow state: a worker that takes over after a crash
    rebuilds them from history. Replaying every history proves it does so deterministically."""
    env = time_skipping_env
    handles = await open_storm(worker, 6)
    throttle = worker.track(throttle_workflow_id("sms", ALICE_PHONE, worker.task_queue))
    await env.sleep(timedelta(minutes=16))
    for handle in handles:
        await wait_for(handle, _final)
    assert len(outbox_to(outbox, ALICE_PHONE)) == 6
    replayer = Replayer(
        workflows=[IncidentWorkflow, ContactThrottleWorkflow],
        data_converter=pydantic_data_converter,
    )
    for handle in [throttle, *handles]:
        await replayer.replay_workflow(await handle.fetch_history())
        assert not await workflow_task_failures(handle)
