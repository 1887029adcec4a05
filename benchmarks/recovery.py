"""Recovery: the only worker dies with N incidents paged; how soon after a replacement starts
does each overdue escalation run?

N incidents are opened and paged (tier 1) on a worker, which is then killed (SIGKILL, no clean
shutdown) before any tier-1 window expires. Every window passes while no worker runs; a few
seconds later a replacement process is spawned on the same task queue. For each incident,
recovery = when its tier-2 page ran - when the replacement was spawned. The replacement's
start-up is split into phases (benchmarks/startup.py), since it is the floor of every figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from datetime import timedelta

from pydantic import BaseModel

from benchmarks.figures import Distribution
from benchmarks.pagelog import Delivery, DeliveryFeed
from benchmarks.policy import TIER_1, TIER_2, write_policy
from benchmarks.stack import Server, WorkerSettings, benchmark_worker
from benchmarks.startup import Startup
from escalation.alerts import Alert
from starter.opening import open_incident

NAME = "recovery"
OPENS_IN_FLIGHT = 16
"""Opening calls outstanding at once: the incidents need only be paged before the first window."""
PAGED_SECONDS = 120.0
"""How long the first worker may take to page every incident before the run gives up."""
ESCALATION_GRACE_SECONDS = 120.0
"""How long the replacement has to run every overdue escalation; the missing are reported."""


@dataclass(frozen=True)
class RecoveryPlan:
    """How many incidents, the tier-1 window, and how long no worker runs after the last window."""

    incidents: int
    window_seconds: int
    """Long enough for every incident to be opened and paged before the first window expires."""
    dead_seconds: float
    """The replacement is spawned this long after the last incident's window expired."""

    @property
    def tier_1_window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)


class RecoveryResult(BaseModel):
    """Figures of one recovery run."""

    incidents: int
    escalated: int
    tier_1_window_s: float
    killed_before_first_deadline: bool
    """The worker died before any tier-1 window expired: every escalation was due while dead."""
    dead_after_last_deadline_s: float
    """From the last incident's deadline to the replacement's spawn."""
    sticky_queue_timeout_s: float
    startup: Startup
    """The replacement's start-up, seconds after its spawn."""
    recovery: Distribution | None
    """Tier-2 page ran - replacement spawned, ms; None when nothing escalated."""
    seconds: float
    recovery_s: list[float]


async def measure_recovery(
    server: Server, plan: RecoveryPlan, settings: WorkerSettings
) -> RecoveryResult:
    """Open and page, kill the worker, wait out the windows, start a replacement, time tier 2."""
    began = time.monotonic()
    policy_file, _ = write_policy(server.workdir / NAME, plan.tier_1_window)
    window = plan.tier_1_window.total_seconds()
    tracker = _Tracker(plan.incidents)
    async with benchmark_worker(server, NAME, policy_file, settings) as first:
        with DeliveryFeed(first.delivery_log) as feed:
            feed.listen(tracker.take)
            await _open_all(server, first.task_queue, plan.incidents)
            await asyncio.wait_for(tracker.all_paged.wait(), PAGED_SECONDS)
            first.process.kill()
            killed_at = time.time()
            deadlines = [opened_at + window for opened_at in tracker.opened_at.values()]
            await asyncio.sleep(max(max(deadlines) + plan.dead_seconds - time.time(), 0))
            async with benchmark_worker(
                server, NAME, policy_file, settings, task_queue=first.task_queue
            ) as replacement:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(tracker.all_escalated.wait(), ESCALATION_GRACE_SECONDS)
    recovered = [ran - replacement.spawned_at for ran in tracker.escalated.values()]
    return RecoveryResult(
        incidents=plan.incidents,
        escalated=len(recovered),
        tier_1_window_s=window,
        killed_before_first_deadline=killed_at < min(deadlines),
        dead_after_last_deadline_s=round(replacement.spawned_at - max(deadlines), 2),
        sticky_queue_timeout_s=settings.tuning.sticky_queue_timeout_s,
        startup=replacement.startup,
        recovery=Distribution.of_seconds(recovered),
        seconds=round(time.monotonic() - began, 1),
        recovery_s=[round(value, 4) for value in recovered],
    )


class _Tracker:
    """Follows the deliveries: tier-1 pages with their incidents' opening, tier-2 pages run."""

    def __init__(self, incidents: int) -> None:
        self.incidents = incidents
        self.opened_at: dict[str, float] = {}
        self.escalated: dict[str, float] = {}
        self.all_paged = asyncio.Event()
        self.all_escalated = asyncio.Event()

    def take(self, delivery: Delivery) -> None:
        if delivery.purpose != "page":
            return
        if delivery.tier == TIER_1:
            self.opened_at[delivery.workflow_id] = delivery.deadline_base
            if len(self.opened_at) == self.incidents:
                self.all_paged.set()
        elif delivery.tier == TIER_2:
            self.escalated.setdefault(delivery.workflow_id, delivery.ran)
            if len(self.escalated) == self.incidents:
                self.all_escalated.set()


async def _open_all(server: Server, task_queue: str, incidents: int) -> None:
    """Open every incident, OPENS_IN_FLIGHT at a time."""
    in_flight = asyncio.Semaphore(OPENS_IN_FLIGHT)

    async def open_one(i: int) -> None:
        key = f"{NAME}-{i}"
        alert = Alert(title=f"load {key}", service="bench", dedup_key=key, source="benchmark")
        async with in_flight:
            await open_incident(server.client, alert, task_queue=task_queue)

    await asyncio.gather(*(open_one(i) for i in range(incidents)))
