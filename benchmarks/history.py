"""History size of a typical critical incident under the example policy.

The journey: a critical report (two clients affected) pages tier 1 by SMS and email, an
operator escalates once to tier 2, acknowledges, posts two client updates and resolves; the
required review is then completed. Each step waits for the page or review it causes, as a person
would. Events and bytes are read from the finished histories of the incident and its review.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

from pydantic import BaseModel
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from benchmarks.pagelog import DeliveryFeed, paged
from benchmarks.stack import Server, WorkerSettings, benchmark_worker
from escalation.alerts import Alert
from starter.incidents import incident_status, send_verb
from starter.opening import open_incident

EXAMPLE_POLICY = Path(__file__).resolve().parent.parent / "examples" / "policy.yaml"
STEP_SECONDS = 60.0
KEY = "history-checkout"
TOP_EVENT_TYPES = 3
ALERT = Alert(
    title="checkout failing",
    service="payments",
    category="outage",
    users_affected=1200,
    clients_affected=["acme", "globex"],
    dedup_key=KEY,
    source="benchmark",
)
VERBS: list[tuple[str, dict[str, object]]] = [
    ("acknowledge", {"by": "bob", "note": "looking"}),
    ("post_update", {"by": "bob", "message": "Cause found, fix in review"}),
    ("post_update", {"by": "bob", "message": "Fix deploying", "eta": "2030-01-01T12:00:00Z"}),
    (
        "resolve",
        {
            "by": "bob",
            "cause": "expired certificate",
            "resolution": "rotated the certificate",
            "preventive_measures": ["alert 14 days before expiry"],
        },
    ),
]


class WorkflowHistorySize(BaseModel):
    """One finished workflow's history."""

    workflow: str
    events: int
    bytes: int
    largest: list[tuple[str, int]]
    """The event types that weigh most, with their bytes."""


class HistoryResult(BaseModel):
    """The incident's history and its review's."""

    journey: str
    histories: list[WorkflowHistorySize]


async def measure_history(server: Server, settings: WorkerSettings) -> HistoryResult:
    """Walk the journey on a worker running the example policy, then weigh the histories."""
    client = server.client
    async with benchmark_worker(server, "history", EXAMPLE_POLICY, settings) as worker:
        with DeliveryFeed(worker.delivery_log) as feed:
            opened = await open_incident(client, ALERT, task_queue=worker.task_queue)
            incident = opened.workflow_id
            await feed.wait_for(incident, paged("Tier 1 frontline", "email"), STEP_SECONDS)
            await send_verb(client, KEY, "escalate", {"by": "alice", "reason": "needs payments"})
            await feed.wait_for(incident, paged("Tier 2 specialists", "email"), STEP_SECONDS)
            for verb, payload in VERBS:
                await send_verb(client, KEY, verb, payload)
            review = await _review_of(client, incident)
            assigned = "review_assigned"
            await feed.wait_for(review, lambda d: d.purpose == assigned, STEP_SECONDS)
            await client.get_workflow_handle(review).execute_update(
                "complete_review", {"by": "bob", "summary": "certificate rotation is automated"}
            )
            await client.get_workflow_handle(incident).result()
            await client.get_workflow_handle(review).result()
    return HistoryResult(
        journey="critical incident: page (SMS + email), escalate once, acknowledge, "
        "two client updates, resolve, review completed",
        histories=[await _weigh(client, incident), await _weigh(client, review)],
    )


async def _review_of(client: Client, incident: str) -> str:
    """The review's id, as the incident names it once the review has started (it carries the
    incident's run, so it cannot be derived from the key alone)."""
    deadline = time.monotonic() + STEP_SECONDS
    while (review := (await incident_status(client, incident)).review_workflow_id) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{incident} started no review within {STEP_SECONDS:.0f} s")
        await asyncio.sleep(0.1)
    return review


async def _weigh(client: Client, workflow_id: str) -> WorkflowHistorySize:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    weights: Counter[str] = Counter()
    for event in history.events:
        weights[EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")] += event.ByteSize()
    return WorkflowHistorySize(
        workflow=workflow_id,
        events=len(history.events),
        bytes=sum(weights.values()),
        largest=weights.most_common(TOP_EVENT_TYPES),
    )
