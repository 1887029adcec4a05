"""Nobody is paged after acknowledging, even when the ack lands while a page is still asking its
phone's throttle for a slot. (Found by the replay recordings: the cancelled ask used to read as
"throttle down, send anyway", and the SMS and then the email page went out after the ack.)"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from activities.throttle import request_throttle_slot
from escalation.throttle import SlotRequest
from tests.workflows.helpers import start_incident, status, wait_for, workflow_task_failures

ALICE = "Alice Ng"
GATE_SECONDS = 30.0


class HeldThrottleRequest:
    """The real throttle request, held at a gate so the test decides when it gets through."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.gate = asyncio.Event()

    @activity.defn(name="request_throttle_slot")
    async def request(self, request: SlotRequest) -> str:
        self.asked.set()
        await self.gate.wait()
        return await request_throttle_slot(request)


async def test_an_ack_while_the_page_asks_its_throttle_sends_nothing(
    time_skipping_env: WorkflowEnvironment, make_worker, outbox: Outbox
) -> None:
    env = time_skipping_env
    held = HeldThrottleRequest()
    worker = make_worker(env.client, throttle_request=held.request)
    async with worker.worker:
        handle = await start_incident(worker, clients_affected=["acme", "globex"])
        await asyncio.wait_for(held.asked.wait(), GATE_SECONDS)
        await handle.execute_update("acknowledge", {"by": "alice"})
        held.gate.set()

        state = await wait_for(handle, lambda s: any(n.recipient == ALICE for n in s.notifications))
        await env.sleep(timedelta(minutes=20))
        state = await status(handle)
        to_alice = [(n.channel, n.status) for n in state.notifications if n.recipient == ALICE]
        assert to_alice == [("sms", "cancelled")]
        assert not [line for line in outbox.read() if line.get("recipient") == ALICE]
        assert not [e for e in state.timeline if e.kind == "throttle_unavailable"]
        assert await workflow_task_failures(handle) == []
