"""The replay story of tiers that page schedules: an override, a tier with nobody on call.

Its own policy (the example's contacts, with tiers paging schedules whose answers do not depend
on the hour of recording): tier 1 pages `primary` (alice, covered by an override for bob), tier
2 pages `later` (nobody yet: skipped at once), tier 3 pages carol.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from escalation.on_call_overrides import SetOverride, schedule_workflow_id
from starter.oncall_overrides import remove_override, set_override
from tests.workflows.helpers import entries, start_incident, wait_for

LOW = {"severity": "low"}  # no review: the incident closes when resolved


def schedule_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """The example's policy data with the tiers and schedules this story needs."""
    weekly = {"participants": ["alice"], "shift": "1w", "hand_off": "2024-01-01T00:00"}
    later = {"participants": ["dave"], "shift": "1w", "hand_off": "2099-01-01T00:00"}
    return policy | {
        "tiers": [
            {"name": "Tier 1", "schedule": "primary", "escalate_after": "10m"},
            {"name": "Tier 2", "schedule": "later", "escalate_after": "10m"},
            {"name": "Tier 3", "contacts": ["carol"], "escalate_after": "10m"},
        ],
        "schedules": {
            "primary": {"time_zone": "Europe/Berlin", "layers": [weekly]},
            "later": {"time_zone": "Europe/Berlin", "layers": [later]},
        },
    }


async def override_then_nobody_on_call(stage: Any) -> list[str]:
    """bob covers primary by override and is paged; tier 1's window passes; tier 2 finds nobody
    and tier 3 is paged at once; the override is taken back; carol acknowledges and resolves."""
    worker = stage.worker
    now = datetime.now(UTC)
    cover = SetOverride.model_validate(
        {"who": "bob", "from": now - timedelta(minutes=1), "to": now + timedelta(hours=1)}
    )
    held = await set_override(worker.client, "primary", cover, worker.task_queue)
    worker.track(schedule_workflow_id("primary"))
    incident = await start_incident(worker, **LOW)
    await wait_for(incident, lambda s: any("bob (on call" in e.detail for e in entries(s, "paged")))
    await stage.wait(timedelta(minutes=11))
    await wait_for(incident, lambda s: s.tier == 3)
    assert held.id is not None
    await remove_override(worker.client, "primary", held.id, "erin", worker.task_queue)
    await incident.execute_update("acknowledge", {"by": "carol"})
    await incident.execute_update(
        "resolve",
        {
            "by": "carol",
            "cause": "disk full",
            "resolution": "rotated logs",
            "preventive_measures": [],
        },
    )
    await wait_for(incident, lambda s: s.status == "closed")
    return [incident.id, schedule_workflow_id("primary")]
