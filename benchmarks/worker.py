"""`python -m benchmarks.worker`: the production workflows and activities on a tuned worker.

Runs as its own process so its memory is its own. Every channel writes to the outbox (no
provider is ever called), and every delivery activity is logged with its times first (see
benchmarks/pagelog.py). The bare workflow is registered too, for the side-by-side run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import (
    PollerBehaviorSimpleMaximum,
    Worker,
)

from activities.archive.database import Archive
from activities.archive.recording import ArchiveActivities
from activities.delivery import DeliveryActivities, Transport
from activities.on_call import OnCallActivities
from activities.outbox import Outbox
from activities.outbox_transport import OutboxTransport
from activities.policy_snapshot import PolicyActivities
from activities.reports import ReportActivities
from activities.throttle import request_throttle_slot
from benchmarks.bare import BareActivities, BareWorkflow
from benchmarks.pagelog import Delivery, DeliveryWriter
from benchmarks.startup import announce
from benchmarks.tuning import WorkerTuning
from escalation.contacts import Channel
from escalation.messages import DeliveryReceipt, OutboundMessage
from escalation.policy_loader import load_policy
from wiring.temporal import connect, workflow_runner
from worker.collection_pacing import paced_collection
from workflows.incident import IncidentWorkflow
from workflows.on_call_schedule import OnCallScheduleWorkflow
from workflows.review import PostIncidentReviewWorkflow
from workflows.throttle import ContactThrottleWorkflow

BARE_MODULES = ("benchmarks",)
"""Where the bare workflow is defined: shared like ours when ours are, so both pay the same."""

READY = "benchmark worker ready"
"""Printed on stdout once the worker polls: the runner waits for this line."""


class LoggedDelivery(DeliveryActivities):
    """The production delivery activity, logged with its times before it runs."""

    def __init__(self, transports: dict[Channel, Transport], log: DeliveryWriter) -> None:
        super().__init__(transports)
        self.log = log

    @activity.defn(name="deliver_notification")
    def deliver_notification(self, message: OutboundMessage) -> DeliveryReceipt:
        """Log first: the moment the page starts out is the one the lag is measured to."""
        facts = message.facts
        self.log.write(
            Delivery.in_activity(
                message.purpose, facts.tier_name, message.channel, facts.opened_at.timestamp()
            )
        )
        return super().deliver_notification(message)


def build_benchmark_worker(
    client: Client,
    *,
    policy_file: Path,
    task_queue: str,
    outbox: Path,
    log: DeliveryWriter,
    tuning: WorkerTuning,
) -> Worker:
    """What worker.runner.build_worker registers, plus the bare workflow, with `tuning` applied.

    The runner is wiring/temporal.py's for `tuning.sandbox`; in the sandbox (`on`) the bare
    workflow's modules are shared as our own are.
    """
    transport = OutboxTransport(Outbox(outbox))
    transports: dict[Channel, Transport] = dict.fromkeys(("email", "sms", "voice"), transport)
    delivery = LoggedDelivery(transports, log)
    reports = ReportActivities(transport)
    policies = PolicyActivities(policy_file, load_policy(policy_file))
    archive = ArchiveActivities(Archive(f"sqlite:///{outbox.with_name('archive.db')}"))
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[
            IncidentWorkflow,
            PostIncidentReviewWorkflow,
            OnCallScheduleWorkflow,
            ContactThrottleWorkflow,
            BareWorkflow,
        ],
        activities=[
            delivery.deliver_notification,
            reports.deliver_final_report,
            policies.snapshot_policy,
            OnCallActivities(policy_file.parent).who_is_on_call,
            request_throttle_slot,
            archive.archive_incident,
            archive.archive_review,
            BareActivities(log).bare_step,
        ],
        activity_executor=ThreadPoolExecutor(tuning.activity_threads, "delivery"),
        max_concurrent_activities=tuning.activity_threads,
        max_cached_workflows=tuning.max_cached_workflows,
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=tuning.sticky_queue_timeout_s),
        nonsticky_to_sticky_poll_ratio=tuning.shared_queue_poll_ratio,
        max_concurrent_workflow_tasks=tuning.max_concurrent_workflow_tasks,
        workflow_task_poller_behavior=PollerBehaviorSimpleMaximum(tuning.workflow_pollers),
        activity_task_poller_behavior=PollerBehaviorSimpleMaximum(tuning.activity_pollers),
        workflow_runner=workflow_runner(tuning.sandbox, also_shared=BARE_MODULES),
    )


async def serve(arguments: argparse.Namespace) -> None:
    """Poll until SIGTERM or SIGINT; say when each start-up phase ends, and READY once polling."""
    log = DeliveryWriter(arguments.log)
    client = await connect()
    announce("connected")
    tuning = WorkerTuning.model_validate_json(arguments.tuning)
    worker = build_benchmark_worker(
        client,
        policy_file=arguments.policy,
        task_queue=arguments.task_queue,
        outbox=arguments.outbox,
        log=log,
        tuning=tuning,
    )
    announce("policy")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with worker, paced_collection(tuning.gc_pacing):
        announce("polling")
        print(READY, flush=True)
        await stop.wait()
    log.close()


def main() -> None:
    announce("imports")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--policy", type=Path, required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--log", type=Path, required=True, help="the delivery log to append to")
    parser.add_argument("--outbox", type=Path, required=True)
    parser.add_argument("--tuning", default="{}", help="WorkerTuning as JSON")
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("escalation.worker.gc").setLevel(logging.INFO)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
