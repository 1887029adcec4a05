"""The worker process: registers workflows and activities, checks its namespace, stops cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from temporalio.client import Client
from temporalio.worker import Worker

from activities.delivery import DeliveryActivities
from activities.on_call import OnCallActivities
from activities.policy_snapshot import PolicyActivities
from activities.reports import ReportActivities
from activities.throttle import request_throttle_slot
from worker.open_incidents import open_incidents_gauge
from worker.search_attributes import register_search_attributes
from worker.settings import WorkerSettings, worker_settings
from workflows.incident import IncidentWorkflow
from workflows.on_call_schedule import OnCallScheduleWorkflow
from workflows.review import PostIncidentReviewWorkflow
from workflows.sandbox import workflow_runner
from workflows.throttle import ContactThrottleWorkflow

log = logging.getLogger("escalation.worker")

ACTIVITY_THREADS = 32
"""Provider SDKs block; deliveries in flight at once per worker."""


def build_worker(client: Client, settings: WorkerSettings) -> Worker:
    """A worker with every workflow and activity, configured by already-checked settings."""
    delivery = DeliveryActivities(settings.transports)
    reports = ReportActivities(settings.transports["email"])
    policies = PolicyActivities(settings.policy_file, settings.policy)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[
            IncidentWorkflow,
            PostIncidentReviewWorkflow,
            ContactThrottleWorkflow,
            OnCallScheduleWorkflow,
        ],
        activities=[
            delivery.deliver_notification,
            reports.deliver_final_report,
            policies.snapshot_policy,
            OnCallActivities(settings.policy_file.parent).who_is_on_call,
            request_throttle_slot,
        ],
        activity_executor=ThreadPoolExecutor(ACTIVITY_THREADS, thread_name_prefix="delivery"),
        workflow_runner=workflow_runner(settings.sandbox),
        max_concurrent_activities=ACTIVITY_THREADS,
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
    async with worker, open_incidents_gauge(client, list(settings.policy.severities)):
        log.info("worker polling task queue %r on %s", settings.task_queue, client.namespace)
        await stop.wait()
        log.info("stopping: finishing in-flight activities")
    log.info("worker stopped")
