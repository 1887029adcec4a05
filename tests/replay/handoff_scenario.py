"""The replay stories of hand-off notices and of a reopen that forgets the reach before it.

`handoff_policy`: the schedules story's policy, with `primary` a ten-hour rotation of alice and bob
(a minute once sped up) that asks for hand-off notices, so one comes soon after the start.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from escalation.handoff_notices import ScheduleLog
from escalation.on_call_overrides import schedule_workflow_id
from escalation.policy import Policy
from escalation.policy_loader import load_policy
from tests.conftest import EXAMPLE_POLICY
from tests.polling import poll
from tests.replay.schedule_scenario import schedule_policy
from tests.workflows.helpers import start_incident, wait_for
from worker.handoff_start import start_handoff_notices
from workflows.handoff_notices import HANDOFF_LOG_QUERY

RESOLVE = {"by": "carol", "cause": "disk full", "resolution": "rotated logs"}


def handoff_policy(policy: dict[str, Any]) -> dict[str, Any]:
    data = schedule_policy(policy)
    rotation = {"participants": ["alice", "bob"], "shift": "10h", "hand_off": "2024-01-01T00:00"}
    data["schedules"]["primary"] = {
        "time_zone": "Europe/Berlin",
        "layers": [rotation],
        "notify_handoffs": True,
    }
    return data


async def handoff_notices(stage: Any) -> list[str]:
    """The worker asks for notices; at the next hand-off the incoming person is told."""
    worker = stage.worker
    example = load_policy(EXAMPLE_POLICY).model_dump(mode="json")
    policy = Policy.model_validate(handoff_policy(example))  # which schedules ask: as recorded
    await start_handoff_notices(worker.client, policy, worker.task_queue)
    handle = worker.track(schedule_workflow_id("primary"))

    async def log() -> ScheduleLog:
        return await handle.query(HANDOFF_LOG_QUERY, result_type=ScheduleLog)

    await poll(
        log,
        lambda found: (
            {n.status for n in found.notifications} == {"sent"} and len(found.notifications) >= 2
        ),
        "a hand-off notice sent",
        seconds=150,
    )
    return [handle.id]


async def reopened_schedule_incident(stage: Any) -> list[str]:
    """An incident whose tiers page schedules is resolved, reopened and resolved again (its
    review required, it stays resolved)."""
    incident = await start_incident(stage.worker, severity="high")
    await wait_for(incident, lambda s: s.tier == 1 and s.reach.reached_in_cycle == 0)
    await incident.execute_update("acknowledge", {"by": "carol"})
    await incident.execute_update("resolve", RESOLVE)
    await incident.execute_update("reopen", {"by": "erin", "reason": "errors are back"})
    await wait_for(incident, lambda s: s.status == "triggered")
    await stage.wait(timedelta(minutes=1))
    await incident.execute_update("acknowledge", {"by": "carol"})
    await incident.execute_update("resolve", RESOLVE)
    await wait_for(incident, lambda s: s.status == "resolved")
    return [incident.id]
