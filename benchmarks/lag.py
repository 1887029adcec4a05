"""Escalation lag: N incidents open, their tier-1 windows expire spread out; how late is tier 2?

Incidents are opened at a steady rate, so their deadlines (opened_at + the tier-1 window) are
spread the same way; the window outlasts the opening, so all N are open when the first expires.
For each incident, lag = when the tier-2 page activity ran - its deadline. Meanwhile every
`ack_every`-th escalated incident is acknowledged (an update), for the update latency under load.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from pydantic import BaseModel
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError

from benchmarks.figures import Distribution
from benchmarks.pagelog import Delivery, DeliveryFeed
from benchmarks.policy import TIER_1, TIER_2, write_policy
from benchmarks.stack import Server, WorkerGroup, WorkerSettings, benchmark_workers, processes
from benchmarks.timeline import history_stages
from benchmarks.usage import CpuMeter
from escalation.alerts import Alert
from starter.incidents import send_verb
from starter.opening import open_incident

OPENS_IN_FLIGHT = 64
"""Opening calls outstanding at once; pacing, not this, sets the rate while the server keeps up."""
ESCALATION_GRACE_SECONDS = 300.0
"""How long after the last deadline the run waits for stragglers; those still missing then are
reported as missing rather than failing the whole run."""


@dataclass(frozen=True)
class LagPlan:
    """How many incidents, how fast they open, and how long after the last one the first expires."""

    incidents: int
    open_rate: float
    settle_seconds: float
    ack_every: int
    settle_share: float = 0.0
    """Part of the spread added to the settling time: the worker may still be paging the last
    incidents opened when opening ends, more so the longer it took."""
    memory_samples: int = 10
    workers: int = 1
    """Worker processes on the task queue (`--workers`)."""

    @property
    def spread_seconds(self) -> float:
        """How long opening takes at the planned rate: the deadlines are spread as much."""
        return self.incidents / self.open_rate

    @property
    def tier_1_window(self) -> timedelta:
        """The spread plus the settling time, whole seconds."""
        settle = self.settle_seconds + self.settle_share * self.spread_seconds
        return timedelta(seconds=math.ceil(self.spread_seconds + settle))


class LagResult(BaseModel):
    """Figures of one lag run."""

    incidents: int
    workers: int = 1
    escalated: int
    """Tier-2 pages seen; fewer than `incidents` when some were still missing at the deadline."""
    tier_1_window_s: float
    open_rate_planned: float
    opens_per_second: float
    start_latency: Distribution
    lag: Distribution
    stages: dict[str, Distribution]
    """From every escalation's delivery log line."""
    sampled_stages: dict[str, Distribution]
    """`deadline to page scheduled` split further, from a sample of histories."""
    early_pages: int
    all_open_first: bool
    """Every incident was open (tier 1 paged) before the first tier-1 window expired."""
    opening_margin_s: float = 0.0
    """The first deadline - when the last incident's tier-1 page ran (negative: it overran)."""
    acks: Distribution | None
    acks_unanswered: int = 0
    """`acknowledge` updates still unanswered when the client's RPC deadline passed (not in
    `acks`)."""
    rss_mb: list[tuple[int, float]]
    """(open incidents, RSS of every worker together) samples."""
    rss_mb_each: list[list[float]] = []
    """Each sample's RSS per worker."""
    cpu_opening: dict[str, float]
    cpu_escalating: dict[str, float]
    seconds: float
    lags_s: list[float]


STAGES = {
    "deadline to page scheduled": lambda d, due: d.scheduled - due,
    "page scheduled to started (server dispatch)": lambda d, due: d.started - d.scheduled,
    "started to ran (worker slot, thread)": lambda d, due: d.ran - d.started,
}


async def measure_lag(server: Server, plan: LagPlan, settings: WorkerSettings) -> LagResult:
    """Run the scenario on a fresh worker; all N incidents stay open (on tier 2) afterwards."""
    began = time.monotonic()
    name = f"lag-{plan.incidents}"
    policy_file, _ = write_policy(server.workdir / name, plan.tier_1_window)
    window = plan.tier_1_window.total_seconds()
    async with benchmark_workers(server, name, policy_file, settings, plan.workers) as worker:
        with DeliveryFeed(*worker.delivery_logs) as feed:
            tracker = _Tracker(server, worker, plan, window)
            feed.listen(tracker.take)
            opening = CpuMeter(processes(server, worker))
            opened_at = time.monotonic()
            latencies = await _open_paced(plan, lambda i: _open(server, worker, f"{name}-{i}"))
            opens_per_second = plan.incidents / (time.monotonic() - opened_at)
            cpu_opening = opening.shares()
            escalating = CpuMeter(processes(server, worker))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    tracker.all_escalated.wait(), window + ESCALATION_GRACE_SECONDS
                )
            cpu_escalating = escalating.shares()
            answered = await tracker.ack_latencies()
            acks = [latency for latency in answered if latency is not None]
            tracker.sample_memory()
    escalations = tracker.escalations
    sampled = await history_stages(
        server.client, {d.workflow_id: d.deadline_base for d, _ in escalations}
    )
    lags = [d.ran - due for d, due in escalations]
    margin = min(due for _, due in escalations) - tracker.last_opened
    return LagResult(
        incidents=plan.incidents,
        workers=plan.workers,
        escalated=len(escalations),
        tier_1_window_s=window,
        open_rate_planned=plan.open_rate,
        opens_per_second=round(opens_per_second, 1),
        start_latency=_required(Distribution.of_seconds(latencies)),
        lag=_required(Distribution.of_seconds(lags)),
        stages={
            stage: _required(Distribution.of_seconds([part(d, due) for d, due in escalations]))
            for stage, part in STAGES.items()
        },
        sampled_stages={
            stage: _required(Distribution.of_seconds(values)) for stage, values in sampled.items()
        },
        early_pages=sum(lag < 0 for lag in lags),
        all_open_first=margin > 0,
        opening_margin_s=round(margin, 1),
        acks=Distribution.of_seconds(acks),
        acks_unanswered=len(answered) - len(acks),
        rss_mb=tracker.rss_mb,
        rss_mb_each=tracker.rss_mb_each,
        cpu_opening=cpu_opening,
        cpu_escalating=cpu_escalating,
        seconds=round(time.monotonic() - began, 1),
        lags_s=[round(lag, 4) for lag in lags],
    )


class _Tracker:
    """Follows the deliveries: opens for the memory samples, escalations for lag and acks."""

    def __init__(self, server: Server, worker: WorkerGroup, plan: LagPlan, window: float):
        self.server, self.worker, self.plan, self.window = server, worker, plan, window
        self.opened = 0
        self.last_opened = 0.0
        self.escalations: list[tuple[Delivery, float]] = []
        self.rss_mb: list[tuple[int, float]] = []
        self.rss_mb_each: list[list[float]] = []
        self.all_escalated = asyncio.Event()
        self._acks: list[asyncio.Task[float | None]] = []
        self._sample_every = max(plan.incidents // plan.memory_samples, 1)

    def take(self, delivery: Delivery) -> None:
        if delivery.purpose != "page":
            return
        if delivery.tier == TIER_1:
            self.opened += 1
            self.last_opened = max(self.last_opened, delivery.ran)
            if self.opened % self._sample_every == 0:
                self.sample_memory()
        elif delivery.tier == TIER_2:
            self.escalations.append((delivery, delivery.deadline_base + self.window))
            if len(self.escalations) % self.plan.ack_every == 0:
                self._acks.append(asyncio.create_task(self._acknowledge(delivery.workflow_id)))
            if len(self.escalations) == self.plan.incidents:
                self.all_escalated.set()

    def sample_memory(self) -> None:
        each = [round(rss, 1) for rss in self.worker.rss_mb_each()]
        self.rss_mb_each.append(each)
        self.rss_mb.append((self.opened, round(sum(each), 1)))

    async def _acknowledge(self, workflow_id: str) -> float | None:
        """The update's latency; None when the RPC deadline passed before it was answered."""
        started = time.monotonic()
        try:
            await send_verb(self.server.client, workflow_id, "acknowledge", {"by": "bench"})
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            return None
        return time.monotonic() - started

    async def ack_latencies(self) -> list[float | None]:
        return list(await asyncio.gather(*self._acks))


async def _open(server: Server, worker: WorkerGroup, key: str) -> None:
    alert = Alert(title=f"load {key}", service="bench", dedup_key=key, source="benchmark")
    await open_incident(server.client, alert, task_queue=worker.task_queue)


async def _open_paced(plan: LagPlan, open_one: Callable[[int], Awaitable[None]]) -> list[float]:
    """Open incident i at start + i / rate (later if OPENS_IN_FLIGHT calls are outstanding)."""
    loop = asyncio.get_running_loop()
    in_flight = asyncio.Semaphore(OPENS_IN_FLIGHT)
    latencies: list[float] = []

    async def timed(i: int) -> None:
        try:
            started = time.monotonic()
            await open_one(i)
            latencies.append(time.monotonic() - started)
        finally:
            in_flight.release()

    start = loop.time()
    tasks = []
    for i in range(plan.incidents):
        await asyncio.sleep(max(start + i / plan.open_rate - loop.time(), 0))
        await in_flight.acquire()
        tasks.append(asyncio.create_task(timed(i)))
    await asyncio.gather(*tasks)
    return latencies


def _required(distribution: Distribution | None) -> Distribution:
    assert distribution is not None, "the scenario measured nothing"
    return distribution
