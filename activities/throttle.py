"""Asking a per-address throttle for a slot: signal-with-start, which only a client can do."""

from __future__ import annotations

from temporalio import activity

from escalation.throttle import (
    REQUEST_SIGNAL,
    THROTTLE_WORKFLOW,
    SlotRequest,
    ThrottleStart,
    throttle_workflow_id,
)


@activity.defn(name="request_throttle_slot")
async def request_throttle_slot(request: SlotRequest) -> str:
    """Signal the address's throttle workflow, starting it if it is not running; returns its id.

    A workflow can signal another workflow but cannot signal-with-start one, and the throttle may
    not be running yet (or may have ended after a quiet hour). The worker's own client can, on the
    task queue this activity runs on. A retry re-sends the same notification id, which the throttle
    recognises.
    """
    message = request.message
    task_queue = activity.info().task_queue
    workflow_id = throttle_workflow_id(message.channel, message.address, task_queue)
    await activity.client().start_workflow(
        THROTTLE_WORKFLOW,
        ThrottleStart(channel=message.channel, address=message.address),
        id=workflow_id,
        task_queue=task_queue,
        start_signal=REQUEST_SIGNAL,
        start_signal_args=[request],
        static_summary=f"Throttle {message.channel} to {message.address}",
    )
    return workflow_id
