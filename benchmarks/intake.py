"""`python -m benchmarks.intake [--quick]`: alerts accepted through the HTTP front door against
`open_incident` called directly, in the same run, on the same server and worker.

The front door runs as its own process (`python -m api`, as `escalation serve` does in
production). Two kinds of alert, each in alternating rounds so a busy moment on a shared
machine falls on both paths:

- new: every alert has a new dedup key and opens an incident;
- repeat: alerts for a few incidents that are already open (a flapping monitor).

Each call is timed from send to answer (202, or `open_incident` returning). The ratio of the
rates is what HTTP costs. For repeats it also counts the `new_alert` signals the incidents took
per accepted alert: each signal stands for one describe plus one signal-with-start, so a figure
below 1 means repeats were coalesced and did not each cost a describe.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil
import yaml
from pydantic import BaseModel
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from api.keys import key_digest, new_key
from benchmarks.figures import Distribution, pool
from benchmarks.http_sender import SenderPool
from benchmarks.policy import write_policy
from benchmarks.stack import Server, WorkerSettings, benchmark_worker, dev_server, processes
from benchmarks.throughput import _Phase as Phase
from benchmarks.throughput import _run
from benchmarks.usage import CpuMeter, Machine
from escalation.alerts import Alert
from escalation.contract import incident_workflow_id
from starter.devserver import free_port
from starter.opening import open_incident

START_SECONDS = 60.0
OUT = Path(".escalation/benchmarks/intake")
Send = Callable[[str], Awaitable[float]]


class IntakePlan(BaseModel):
    """Alerts per kind and path per round, how many are in flight, rounds, open incidents."""

    alerts: int
    concurrency: int
    rounds: int
    open_incidents: int


QUICK = IntakePlan(alerts=40, concurrency=10, rounds=2, open_incidents=4)
FULL = IntakePlan(alerts=300, concurrency=20, rounds=6, open_incidents=10)


class PathResult(BaseModel):
    """One path (direct or HTTP) for one kind of alert, over every round."""

    accepted: int
    seconds: float
    per_second: float
    latency: Distribution
    cpu_ms: dict[str, float]
    """CPU time per accepted alert, per process: where each path spends the machine."""


class KindResult(BaseModel):
    """Both paths for one kind of alert, and their ratio (HTTP rate over direct rate)."""

    direct: PathResult
    http: PathResult
    ratio: float


class IntakeResult(BaseModel):
    """One run."""

    plan: IntakePlan
    started_at: datetime
    machine: Machine
    new: KindResult
    repeat: KindResult
    signals_per_http_repeat: float
    """`new_alert` signals taken per repeat accepted over HTTP: 1.0 means no coalescing."""


async def measure(server: Server, plan: IntakePlan, workdir: Path) -> IntakeResult:
    """Start the worker and the front door, open the repeat targets, run alternating rounds."""
    key = new_key()
    policy_file = _policy_with_integration(workdir, key)
    machine = Machine.now()
    async with (
        benchmark_worker(server, "intake", policy_file, WorkerSettings()) as worker,
        _front_door(server, policy_file, worker.task_queue, workdir) as (url, front_door),
        _sender(url, key, plan.concurrency) as http,
    ):
        targets = [f"open-{n}" for n in range(plan.open_incidents)]
        for target in targets:
            await open_incident(server.client, _alert(target), task_queue=worker.task_queue)
        paths: dict[str, dict[str, Send]] = {
            "new": {
                "direct": lambda k: _direct(server.client, worker.task_queue, k),
                "http": lambda k: _http(http, k),
            },
            "repeat": {
                "direct": lambda k: _direct(server.client, worker.task_queue, _target(targets, k)),
                "http": lambda k: _http(http, _target(targets, k)),
            },
        }
        for kind, sends in paths.items():  # warm both paths up
            for path, send in sends.items():
                await _run(send, f"warm-{kind}-{path}", plan.concurrency, plan.concurrency)
        phases: dict[tuple[str, str], list[Phase]] = {}
        signals = http_repeats = 0
        for number in range(plan.rounds):
            for kind in paths:
                order = ["direct", "http"] if number % 2 else ["http", "direct"]
                for path in order:
                    counted = (kind, path) == ("repeat", "http")
                    before = await _signals(server.client, targets) if counted else 0
                    meter = CpuMeter(processes(server, worker) | {"front door": front_door})
                    phase = await _run(
                        paths[kind][path], f"{kind}-{path}-{number}", plan.alerts, plan.concurrency
                    )
                    phase = phase.with_cpu(meter.shares())
                    phases.setdefault((kind, path), []).append(phase)
                    if counted:
                        signals += await _signals(server.client, targets) - before
                        http_repeats += phase.completed
    return IntakeResult(
        plan=plan,
        started_at=datetime.now(UTC),
        machine=machine,
        new=_kind(phases[("new", "direct")], phases[("new", "http")]),
        repeat=_kind(phases[("repeat", "direct")], phases[("repeat", "http")]),
        signals_per_http_repeat=round(signals / http_repeats, 3),
    )


def _target(targets: list[str], key: str) -> str:
    """Repeats spread over the open incidents by the alert's number."""
    return targets[int(key.rsplit("-", 1)[1]) % len(targets)]


def _alert(key: str) -> Alert:
    return Alert(title=f"load {key}", service="bench", dedup_key=key, source="benchmark")


async def _direct(client: Client, task_queue: str, key: str) -> float:
    started = time.monotonic()
    await open_incident(client, _alert(key), task_queue=task_queue)
    return time.monotonic() - started


async def _http(http: SenderPool, key: str) -> float:
    started = time.monotonic()
    status, answer = await http.post("/v1/alerts", _alert(key).model_dump(exclude_none=True))
    if status != 202:
        raise RuntimeError(f"the front door answered {status}: {answer[:500]!r}")
    return time.monotonic() - started


@asynccontextmanager
async def _sender(url: str, key: str, size: int) -> AsyncIterator[SenderPool]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    pool = SenderPool(host, int(port), {"Authorization": f"Bearer {key}"}, size)
    try:
        yield pool
    finally:
        await pool.close()


def _path(phases: list[Phase]) -> PathResult:
    pooled = pool(phases)
    accepted = pooled.completed
    return PathResult(
        accepted=accepted,
        seconds=round(pooled.seconds, 2),
        per_second=round(accepted / pooled.seconds, 1),
        latency=pooled.latency,
        cpu_ms={
            name: round(used / accepted * 1000, 2) for name, used in pooled.cpu_seconds.items()
        },
    )


def _kind(direct: list[Phase], http: list[Phase]) -> KindResult:
    d, h = _path(direct), _path(http)
    return KindResult(direct=d, http=h, ratio=round(h.per_second / d.per_second, 2))


async def _signals(client: Client, keys: list[str]) -> int:
    """`new_alert` signals the incidents have taken (every run of each, handovers included)."""
    total = 0
    for key in keys:
        handle = client.get_workflow_handle(incident_workflow_id(key))
        async for event in handle.fetch_history_events():
            total += event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    return total


def _policy_with_integration(workdir: Path, key: str) -> Path:
    """The benchmark policy with a generic integration holding the run's key."""
    path, _ = write_policy(workdir, timedelta(hours=1))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["integrations"] = {
        "bench": {
            "type": "generic",
            "service": "bench",
            "key_sha256": [key_digest(key)],
            "rate_limit": {"per_second": 100_000, "burst": 1_000_000},
        }
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@asynccontextmanager
async def _front_door(
    server: Server, policy: Path, task_queue: str, workdir: Path
) -> AsyncIterator[tuple[str, psutil.Process]]:
    """`python -m api` on a free port, as `escalation serve` runs; its URL once it answers."""
    address = f"127.0.0.1:{free_port()}"
    env = os.environ | {
        "TEMPORAL_ADDRESS": server.address,
        "TEMPORAL_NAMESPACE": "default",
        "ESCALATION_HTTP_ADDRESS": address,
        "ESCALATION_POLICY": str(policy),
        "ESCALATION_TASK_QUEUE": task_queue,
    }
    with (workdir / "front-door.log").open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api", env=env, stdout=log, stderr=log
        )
    url = f"http://{address}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5) as probe:
            deadline = time.monotonic() + START_SECONDS
            while True:
                try:
                    if (await probe.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the front door did not start; see {workdir}")
                await asyncio.sleep(0.1)
        yield url, psutil.Process(process.pid)
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


def render(result: IntakeResult) -> str:
    """The figures as a Markdown table."""
    lines = [
        f"Intake benchmark ({result.plan.alerts} alerts per kind, path and round, "
        f"{result.plan.rounds} rounds, {result.plan.concurrency} in flight, "
        f"{result.plan.open_incidents} open incidents for repeats); "
        f"{result.machine.cpus} CPUs.",
        "",
        "| alerts | path | accepted/s | p50 ms | p99 ms | HTTP/direct |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, path, figures, kind in _rows(result):
        ratio = f"{kind.ratio:.2f}" if path == "HTTP" else ""
        lines.append(
            f"| {name} | {path} | {figures.per_second:,.1f} | {figures.latency.p50:,.1f} "
            f"| {figures.latency.p99:,.1f} | {ratio} |"
        )
    lines += [
        "",
        f"`new_alert` signals per HTTP repeat: {result.signals_per_http_repeat}",
        "",
        "CPU ms per accepted alert, per process:",
        "",
    ]
    for name, path, figures, _ in _rows(result):
        shares = ", ".join(f"{k} {v:.1f}" for k, v in figures.cpu_ms.items())
        lines.append(f"- {name} {path}: {shares}")
    return "\n".join(lines)


def _rows(result: IntakeResult) -> list[tuple[str, str, PathResult, KindResult]]:
    """(alerts, path, its figures, the kind's) in the order both tables list them."""
    return [
        (name, path, figures, kind)
        for name, kind in (("new", result.new), ("repeat", result.repeat))
        for path, figures in (("direct", kind.direct), ("HTTP", kind.http))
    ]


async def run(plan: IntakePlan) -> IntakeResult:
    with tempfile.TemporaryDirectory(prefix="escalation-intake-") as scratch:
        workdir = Path(scratch)
        async with dev_server(workdir / "server") as server:
            result = await measure(server, plan, workdir)
    result.machine.finish()
    return result


def save(result: IntakeResult, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(result.model_dump_json(indent=1), encoding="utf-8")
    (out / "results.md").write_text(render(result) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.intake", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, about a minute")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where results go ({OUT})")
    arguments = parser.parse_args()
    result = asyncio.run(run(QUICK if arguments.quick else FULL))
    save(result, arguments.out)
    print(render(result))


if __name__ == "__main__":
    main()
