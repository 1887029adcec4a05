"""Where an escalation's lag goes before the page is scheduled, read from incident histories.

The tier-2 page is scheduled by the workflow task that runs after the tier-1 timer fires. The
timer itself starts only when the opening workflow task completes (Temporal starts a timer when
it records the command), while the deadline counts from that task's start (`workflow.now()`).
A sample of histories splits the time from deadline to scheduled page into those steps.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

SAMPLE = 50
"""Histories read per lag run: enough for a median, few enough not to load the server."""


@dataclass(frozen=True)
class EscalationEvents:
    """Event times (epoch seconds) of one escalation, from its history."""

    timer_started: float
    timer_due: float
    timer_fired: float
    task_started: float
    page_scheduled: float


STAGES = {
    "opening task until the timer starts": lambda e, opened: e.timer_started - opened,
    "timer fired after it was due": lambda e, opened: e.timer_fired - e.timer_due,
    "timer fired to workflow task started": lambda e, opened: e.task_started - e.timer_fired,
    "workflow task started to page scheduled": lambda e, opened: e.page_scheduled - e.task_started,
}


async def history_stages(
    client: Client, opened: dict[str, float], sample: int = SAMPLE
) -> dict[str, list[float]]:
    """Each stage's durations over an even sample of the incidents (workflow id -> opened_at)."""
    step = max(len(opened) // sample, 1)
    chosen = list(opened)[::step][:sample]
    events = await asyncio.gather(*(_escalation(client, wid) for wid in chosen))
    return {
        stage: [part(e, opened[wid]) for wid, e in zip(chosen, events, strict=True)]
        for stage, part in STAGES.items()
    }


async def _escalation(client: Client, workflow_id: str) -> EscalationEvents:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    events = history.events
    started = _first(events, EventType.EVENT_TYPE_TIMER_STARTED)
    timeout = started.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
    fired = next(
        e
        for e in events
        if e.event_type == EventType.EVENT_TYPE_TIMER_FIRED
        and e.timer_fired_event_attributes.started_event_id == started.event_id
    )
    later = [e for e in events if e.event_id > fired.event_id]
    task = _first(later, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)
    page = _first(later, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    return EscalationEvents(
        timer_started=_at(started),
        timer_due=_at(started) + timeout.total_seconds(),
        timer_fired=_at(fired),
        task_started=_at(task),
        page_scheduled=_at(page),
    )


def _first(events: list[HistoryEvent], kind: EventType.ValueType) -> HistoryEvent:
    return next(e for e in events if e.event_type == kind)


def _at(event: HistoryEvent) -> float:
    return event.event_time.ToNanoseconds() / 1e9
