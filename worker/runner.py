"""The worker process: validates the policy, registers workflows and activities, stops cleanly."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.worker import Worker

from activities.delivery import DeliveryActivities
from activities.policy_snapshot import PolicyActivities
from activities.reports import ReportActivities
from activities.throttle import request_throttle_slot
from activities.transports import transports_from_environment
from escalation.contract import TASK_QUEUE
from escalation.policy_loader import load_policy, policy_path
from worker.open_incidents import open_incidents_gauge
from workflows.incident import IncidentWorkflow
from workflows.review import PostIncidentReviewWorkflow
from workflows.sandbox import sandbox_from_environment, workflow_runner
from workflows.throttle import ContactThrottleWorkflow

log = logging.getLogger("escalation.worker")

ACTIVITY_THREADS = 32
"""Provider SDKs block; deliveries in flight at once per worker."""


def build_worker(
    client: Client, *, policy_file: Path | None = None, task_queue: str = TASK_QUEUE
) -> Worker:
    """A worker with every workflow and activity; raises PolicyInvalid on a bad policy and
    SandboxSettingInvalid on a bad ESCALATION_WORKFLOW_SANDBOX."""
    path = policy_file or policy_path()
    policy = load_policy(path)
    transports = transports_from_environment()
    delivery = DeliveryActivities(transports)
    reports = ReportActivities(transports["email"])
    policies = PolicyActivities(path, policy)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[IncidentWorkflow, PostIncidentReviewWorkflow, ContactThrottleWorkflow],
        activities=[
            delivery.deliver_notification,
            reports.deliver_final_report,
            policies.snapshot_policy,
            request_throttle_slot,
        ],
        activity_executor=ThreadPoolExecutor(ACTIVITY_THREADS, thread_name_prefix="delivery"),
        workflow_runner=workflow_runner(sandbox_from_environment()),
        max_concurrent_activities=ACTIVITY_THREADS,
        graceful_shutdown_timeout=_graceful_timeout(),
    )


def _graceful_timeout() -> timedelta:
    """How long in-flight deliveries get to finish on shutdown before being handed back."""
    return timedelta(seconds=float(os.environ.get("ESCALATION_SHUTDOWN_GRACE_SECONDS", "20")))


async def run_worker(
    client: Client, *, policy_file: Path | None = None, task_queue: str = TASK_QUEUE
) -> None:
    """Run until SIGINT or SIGTERM, then let in-flight deliveries finish before exiting."""
    worker = build_worker(client, policy_file=policy_file, task_queue=task_queue)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    severities = list(load_policy(policy_file or policy_path()).severities)
    async with worker, open_incidents_gauge(client, severities):
        log.info("worker polling task queue %r on %s", task_queue, client.namespace)
        await stop.wait()
        log.info("stopping: finishing in-flight activities")
    log.info("worker stopped")
