"""Start-up: every schedule with `notify_handoffs: true` gets its `oncall-<schedule>` told so.

Signal-with-start is idempotent: a running schedule workflow (holding overrides) is signalled, a
missing one is started. The worker does it each time it starts, so a schedule that gains the flag
is picked up by the next worker start; one that loses it sends no notice from its next hand-off.
"""

from __future__ import annotations

from temporalio.client import Client

from escalation.handoff_notices import HANDOFF_SIGNAL
from escalation.on_call_overrides import SCHEDULE_WORKFLOW, ScheduleStart, schedule_workflow_id
from escalation.policy import Policy


async def start_handoff_notices(client: Client, policy: Policy, task_queue: str) -> list[str]:
    """Signal-with-start each notifying schedule's workflow; returns the schedules."""
    names = [name for name, schedule in policy.schedules.items() if schedule.notify_handoffs]
    for name in names:
        await client.start_workflow(
            SCHEDULE_WORKFLOW,
            ScheduleStart(schedule=name, handoffs=True),
            id=schedule_workflow_id(name),
            task_queue=task_queue,
            start_signal=HANDOFF_SIGNAL,
            static_summary=f"On-call overrides and hand-off notices of schedule {name}",
        )
    return names
