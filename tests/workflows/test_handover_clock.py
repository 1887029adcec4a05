"""The escalation clock keeps running while a long incident hands over to its next run.

A run hands over (continues as new) once its history is long, and only after every delivery in
flight has recorded its outcome. A client's mail server is down, so the opening notice to that
client retries for up to an hour: the handover waits that long. Tier 2 must still be paged at
10 minutes and the acknowledgment breach recorded at 15 (example policy, critical), and what is
decided meanwhile for clients goes out once, from the next run.

The history bound is lowered to HISTORY_LIMIT (here a few hundred signals are enough to pass it);
the worker runs unsandboxed, as production workers do, so the module's bound is the one the
workflow reads.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

import workflows.history_handover
from activities.outbox import Outbox
from activities.outbox_transport import OutboxTransport
from activities.provider_errors import transient
from escalation.messages import DeliveryReceipt, RenderedMessage
from tests.polling import poll
from tests.workflows.helpers import (
    entries,
    minutes_after_open,
    start_incident,
    wait_for,
    workflow_task_failures,
)

HISTORY_LIMIT = 150
GLOBEX = "noc@globex.example"
NOTES = HISTORY_LIMIT + 10


class GlobexMailDown:
    """Email through the outbox, except to Globex, whose mail server answers 503 until it recovers."""

    def __init__(self, outbox: Outbox) -> None:
        self.delivered = OutboxTransport(outbox)
        self.attempts = 0
        self.down = True
        self._lock = threading.Lock()

    def send(self, message: RenderedMessage) -> DeliveryReceipt:
        if message.to == GLOBEX:
            with self._lock:
                self.attempts += 1
                if self.down:
                    raise transient("503 Service Unavailable from globex.example")
        return self.delivered.send(message)


async def continued_as_new(handle: WorkflowHandle) -> bool:
    """Whether the run this handle started with has handed over."""
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return True
    return False


async def test_tiers_and_breaches_fire_on_time_while_a_handover_waits_for_a_client_message(
    time_skipping_env: WorkflowEnvironment,
    make_worker,
    outbox: Outbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workflows.history_handover, "HISTORY_LIMIT", HISTORY_LIMIT)
    env = time_skipping_env
    mail = GlobexMailDown(outbox)
    transport = OutboxTransport(outbox)
    transports = {"email": mail, "sms": transport, "voice": transport}
    worker = make_worker(env.client, transports=transports, sandbox="off")
    async with worker.worker:
        handle = await start_incident(worker, severity="critical", clients_affected=["globex"])
        first_run = worker.client.get_workflow_handle(handle.id, run_id=handle.result_run_id)
        await poll(lambda: _attempts(mail), lambda n: n >= 1, "a failed attempt to Globex")
        for start in range(0, NOTES, 50):
            await asyncio.gather(
                *(
                    handle.signal("add_note", {"by": "bob", "text": f"note {n}"})
                    for n in range(start, min(start + 50, NOTES))
                )
            )
        await wait_for(handle, lambda s: len(entries(s, "note")) == NOTES)

        await env.sleep(timedelta(minutes=20))
        state = await wait_for(handle, lambda s: bool(entries(s, "sla_breach")))
        assert not await continued_as_new(first_run), "the handover did not wait for Globex"
        paged = [minutes_after_open(state, e.at) for e in entries(state, "paged")]
        assert paged[:2] == [0, 10]
        assert [minutes_after_open(state, e.at) for e in entries(state, "sla_breach")] == [15]
        bob = [
            n for n in state.notifications if n.recipient == "Bob Okafor" and n.purpose == "page"
        ]
        assert bob and all(n.status == "outbox" for n in bob)
        assert {minutes_after_open(state, n.at) for n in bob} == {10}
        erin = [n for n in state.notifications if n.purpose == "ack_breach"]
        assert erin and {minutes_after_open(state, n.at) for n in erin} == {15}

        # Decided during the handover, for a client: waits for the next run, then goes once.
        await handle.execute_update("post_update", {"by": "bob", "message": "failing over"})
        mail.down = False
        await env.sleep(timedelta(minutes=5))
        await poll(lambda: continued_as_new(first_run), bool, "the handover")
        final = await wait_for(
            handle,
            lambda s: any(n.purpose == "client_update" and n.to == GLOBEX for n in s.notifications),
        )
        to_globex = [(n.purpose, n.status) for n in final.notifications if n.to == GLOBEX]
        assert to_globex == [("client_opened", "outbox"), ("client_update", "outbox")]
        sent = [m for m in outbox.read() if m.get("to") == GLOBEX]
        assert len(sent) == 2
        assert await workflow_task_failures(first_run) == []


async def _attempts(mail: GlobexMailDown) -> int:
    return mail.attempts
