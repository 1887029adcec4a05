"""The worker process: registers workflows and activities, checks its namespace, stops cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from activities.action_links import ActionLinks
from activities.archive.database import Archive
from activities.archive.recording import ArchiveActivities
from activities.delivery import DeliveryActivities, Transport
from activities.on_call import OnCallActivities
from activities.policy_snapshot import PolicyActivities
from activities.reports import ReportActivities
from activities.slack_client import slack_activities
from activities.sms_reply_codes import ReplyCodes
from activities.throttle import request_throttle_slot
from escalation.contacts import Channel
from escalation.policy import Policy
from wiring.search_attributes import register_search_attributes
from wiring.temporal import workflow_runner
from worker.collection_pacing import paced_collection
from worker.handoff_start import start_handoff_notices
from worker.open_incidents import open_incidents_gauge
from worker.settings import WorkerSettings, worker_settings
from workflows.incident import IncidentWorkflow
from workflows.on_call_schedule import OnCallScheduleWorkflow
from workflows.review import PostIncidentReviewWorkflow
from workflows.sms_codes import SmsReplyCodesWorkflow
from workflows.throttle import ContactThrottleWorkflow

log = logging.getLogger("escalation.worker")

ACTIVITY_THREADS = 32
"""Provider SDKs block; deliveries in flight at once per worker."""

STICKY_QUEUE_TIMEOUT = timedelta(seconds=10)
"""How long a workflow task waits on its worker's own (sticky) queue before any worker may take
it: the SDK's default. After a crash, escalations due meanwhile wait up to this long for a
replacement; shorter moves a busy live worker's tasks to the shared queue, where each is replayed
from its history (README, Benchmarks, for the figures of both)."""

SHARED_QUEUE_POLL_RATIO = 0.2
"""Polls of the shared task queue allowed per poll of the worker's own (sticky) queue: the SDK's
one of five. Five (1.0) made a replacement worker's catch-up after a crash a third faster, but
in one pair of 10,000-open runs it took the lag p99 from 269 to 654 ms (README, Benchmarks,
Polls of the shared queue): kept at the SDK's until more runs say otherwise."""


WORKFLOWS = [
    IncidentWorkflow,
    PostIncidentReviewWorkflow,
    ContactThrottleWorkflow,
    SmsReplyCodesWorkflow,
    OnCallScheduleWorkflow,
]
"""Every workflow a worker registers (the production worker and the tests' workers)."""


def activities_of(
    transports: Mapping[Channel, Transport],
    policy_file: Path,
    policy: Policy,
    throttle_request: Callable[..., Awaitable[str]] = request_throttle_slot,
    *,
    archive: Archive,
    links: ActionLinks | None = None,
    reply_codes: ReplyCodes | None = None,
    slack: Sequence[Callable[..., Any]] = (),
) -> list[Callable[..., Any]]:
    """Every activity a worker registers, bound to its transports and policy (tests may pass
    their own throttle request; without links or reply codes, pages carry neither; without
    Slack activities, incidents tell no story in Slack)."""
    delivery = DeliveryActivities(transports, links, reply_codes)
    reports = ReportActivities(transports["email"])
    policies = PolicyActivities(policy_file, policy, slack=bool(slack))
    archiving = ArchiveActivities(archive)
    on_call = OnCallActivities(policy_file.parent)
    return [
        delivery.deliver_notification,
        reports.deliver_final_report,
        policies.snapshot_policy,
        on_call.who_is_on_call,
        on_call.next_handoff,
        throttle_request,
        archiving.archive_incident,
        archiving.archive_review,
        *slack,
    ]


def build_worker(client: Client, settings: WorkerSettings) -> Worker:
    """A worker with every workflow and activity, configured by already-checked settings."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=activities_of(
            settings.transports,
            settings.policy_file,
            settings.policy,
            archive=Archive(settings.archive_url),
            links=settings.action_links,
            reply_codes=ReplyCodes(client),
            slack=slack_activities(settings.slack),
        ),
        activity_executor=ThreadPoolExecutor(ACTIVITY_THREADS, thread_name_prefix="delivery"),
        workflow_runner=workflow_runner(settings.sandbox),
        max_concurrent_activities=ACTIVITY_THREADS,
        max_cached_workflows=settings.cached_runs,
        sticky_queue_schedule_to_start_timeout=STICKY_QUEUE_TIMEOUT,
        nonsticky_to_sticky_poll_ratio=SHARED_QUEUE_POLL_RATIO,
        graceful_shutdown_timeout=settings.grace,
    )


async def run_worker(
    client: Client,
    *,
    policy_file: Path | None = None,
    task_queue: str | None = None,
    settings: WorkerSettings | None = None,
) -> None:
    """Check the namespace, then run until SIGINT or SIGTERM, letting in-flight deliveries finish.

    Raises SearchAttributesUnusable, before polling, when incidents could not start here.
    """
    settings = settings or worker_settings(policy_file, task_queue)
    added = await register_search_attributes(client)
    if added:
        log.info("registered search attributes on %r: %s", client.namespace, ", ".join(added))
    worker = build_worker(client, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with (
        worker,
        open_incidents_gauge(client, list(settings.policy.severities)),
        paced_collection(settings.gc_pacing),
    ):
        log.info("worker polling task queue %r on %s", settings.task_queue, client.namespace)
        notified = await start_handoff_notices(client, settings.policy, settings.task_queue)
        if notified:
            log.info("hand-off notices for schedules: %s", ", ".join(notified))
        await stop.wait()
        log.info("stopping: finishing in-flight activities")
    log.info("worker stopped")
