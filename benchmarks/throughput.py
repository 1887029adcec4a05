"""Throughput at the limit: whole incident lifecycles per second against a bare workflow's.

An incident lifecycle under the benchmark policy is: open (signal-with-start), the policy
snapshot and the tier-1 page (two activities), `acknowledge` and `resolve` as updates, complete
(severity `bench` needs no review). The bare workflow (benchmarks/bare.py) has the same two
activities and two updates and no logic. Both are driven closed-loop with the same concurrency,
high enough to keep the server saturated, in alternating rounds on one worker, so a busy moment
on the machine falls on both. The ratio of their rates is what our code costs.

Then the start rate at the limit: incidents opened (open_incident, up to the tier-1 page) as fast
as they go with the same concurrency, left open.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from pydantic import BaseModel
from temporalio.client import Client

from benchmarks.bare import BARE_TIER, BARE_WORKFLOW
from benchmarks.figures import Distribution
from benchmarks.pagelog import DeliveryFeed, paged
from benchmarks.policy import TIER_1, write_policy
from benchmarks.stack import Server, WorkerProcess, WorkerSettings, benchmark_worker, processes
from benchmarks.usage import CpuMeter
from escalation.alerts import Alert
from starter.incidents import incident_handle, send_verb
from starter.opening import open_incident

_LONG_WINDOW = timedelta(hours=1)
"""Tier 1 never times out here: each lifecycle is acknowledged as soon as it is paged."""
STEP_TIMEOUT_SECONDS = 120.0
"""How long one lifecycle may wait for its page before the run fails."""
ACK = {"by": "bench", "note": "on it"}
RESOLVE = {"by": "bench", "cause": "load test", "resolution": "nothing to do"}


@dataclass(frozen=True)
class ThroughputPlan:
    """Lifecycles per kind and round, how many run at once, and how many rounds."""

    lifecycles: int
    concurrency: int
    rounds: int
    """Many short rounds average out other load on a shared machine better than two long ones."""


class KindResult(BaseModel):
    """One kind of workflow over all rounds."""

    completed: int
    seconds: float
    per_second: float
    latency: Distribution
    """Of the call each kind times: `acknowledge` for lifecycles, `open_incident` for starts."""
    cpu: dict[str, float]
    """Share of a core per process, over the kind's phases."""
    cpu_ms: dict[str, float]
    """CPU time per completed lifecycle, per process: steadier than rates on a shared machine."""


class ThroughputResult(BaseModel):
    """Incident lifecycles against bare workflows: rates and their ratio."""

    concurrency: int
    incident: KindResult
    bare: KindResult
    ratio: float
    starts: KindResult


Lifecycle = Callable[[str], Awaitable[float]]
"""Runs one lifecycle under a key; returns the latency of the call it times."""


async def measure_throughput(
    server: Server, plan: ThroughputPlan, settings: WorkerSettings
) -> ThroughputResult:
    """Warm both kinds up, then alternate them round by round on one fresh worker."""
    policy_file, _ = write_policy(server.workdir / "throughput", _LONG_WINDOW)
    async with benchmark_worker(server, "throughput", policy_file, settings) as worker:
        with DeliveryFeed(worker.delivery_log) as feed:
            kinds: dict[str, Lifecycle] = {
                "lifecycle": lambda key: _incident(server.client, worker, feed, key),
                "bare": lambda key: _bare(server.client, worker, feed, key),
            }

            async def measured(lifecycle: Lifecycle, prefix: str) -> _Phase:
                meter = CpuMeter(processes(server, worker))
                phase = await _run(lifecycle, prefix, plan.lifecycles, plan.concurrency)
                return phase.with_cpu(meter.shares())

            for kind, lifecycle in kinds.items():
                await _run(lifecycle, f"warm-{kind}", plan.concurrency, plan.concurrency)
            phases: dict[str, list[_Phase]] = {kind: [] for kind in kinds}
            for round_ in range(plan.rounds):
                order = list(kinds) if round_ % 2 else list(reversed(kinds))
                for kind in order:
                    phases[kind].append(await measured(kinds[kind], f"{kind}-{round_}"))
            starts = await measured(lambda key: _start(server.client, worker, feed, key), "start")
    incident, bare = _combine(phases["lifecycle"]), _combine(phases["bare"])
    return ThroughputResult(
        concurrency=plan.concurrency,
        incident=incident,
        bare=bare,
        ratio=round(incident.per_second / bare.per_second, 2),
        starts=_combine([starts]),
    )


@dataclass(frozen=True)
class _Phase:
    completed: int
    seconds: float
    latencies: list[float]
    cpu: dict[str, float]

    def with_cpu(self, cpu: dict[str, float]) -> _Phase:
        return _Phase(self.completed, self.seconds, self.latencies, cpu)


async def _run(lifecycle: Lifecycle, prefix: str, count: int, concurrency: int) -> _Phase:
    """`count` lifecycles, `concurrency` at a time, as fast as they complete."""
    pending = iter(range(count))
    latencies: list[float] = []

    async def loop() -> None:
        for i in pending:
            latencies.append(await lifecycle(f"{prefix}-{i}"))

    started = time.monotonic()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return _Phase(count, time.monotonic() - started, latencies, {})


def _combine(phases: list[_Phase]) -> KindResult:
    completed = sum(p.completed for p in phases)
    seconds = sum(p.seconds for p in phases)
    latency = Distribution.of_seconds([a for p in phases for a in p.latencies])
    assert latency is not None
    cpu_seconds = {name: sum(p.cpu[name] * p.seconds for p in phases) for name in phases[0].cpu}
    return KindResult(
        completed=completed,
        seconds=round(seconds, 1),
        per_second=round(completed / seconds, 1),
        latency=latency,
        cpu={name: round(used / seconds, 2) for name, used in cpu_seconds.items()},
        cpu_ms={name: round(used / completed * 1000, 1) for name, used in cpu_seconds.items()},
    )


async def _timed(call: Awaitable[object]) -> float:
    started = time.monotonic()
    await call
    return time.monotonic() - started


async def _start(client: Client, worker: WorkerProcess, feed: DeliveryFeed, key: str) -> float:
    """Open an incident and wait until tier 1 is paged; returns the open_incident call's time."""
    alert = Alert(title=f"load {key}", service="bench", dedup_key=key, source="benchmark")
    started = time.monotonic()
    opened = await open_incident(client, alert, task_queue=worker.task_queue)
    latency = time.monotonic() - started
    await feed.wait_for(opened.workflow_id, paged(TIER_1), STEP_TIMEOUT_SECONDS)
    return latency


async def _incident(client: Client, worker: WorkerProcess, feed: DeliveryFeed, key: str) -> float:
    await _start(client, worker, feed, key)
    ack = await _timed(send_verb(client, key, "acknowledge", ACK))
    await send_verb(client, key, "resolve", RESOLVE)
    await incident_handle(client, key).result()
    return ack


async def _bare(client: Client, worker: WorkerProcess, feed: DeliveryFeed, key: str) -> float:
    handle = await client.start_workflow(
        BARE_WORKFLOW, id=f"bare-{key}", task_queue=worker.task_queue
    )
    await feed.wait_for(handle.id, paged(BARE_TIER), STEP_TIMEOUT_SECONDS)
    ack = await _timed(handle.execute_update("acknowledge", ACK))
    await handle.execute_update("resolve", RESOLVE)
    await handle.result()
    return ack
