"""One run: a fresh dev server per scenario, the scenarios in turn, then the report and chart."""

from __future__ import annotations

import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import temporalio

from benchmarks.chart import draw_lag_chart
from benchmarks.history import measure_history
from benchmarks.lag import LagPlan, measure_lag
from benchmarks.recovery import RecoveryPlan, measure_recovery
from benchmarks.report import render_report
from benchmarks.results import Results
from benchmarks.stack import WorkerSettings, dev_server
from benchmarks.throughput import ThroughputPlan, measure_throughput
from benchmarks.usage import Machine
from starter.devserver import SERVER_SETTINGS, find_executable

SCENARIOS = ("lag", "throughput", "history", "recovery")


@dataclass(frozen=True)
class RunPlan:
    """The sizes of one run."""

    mode: str
    lag: tuple[LagPlan, ...]
    throughput: ThroughputPlan
    recovery: RecoveryPlan


QUICK = RunPlan(
    mode="quick",
    lag=(LagPlan(incidents=60, open_rate=30, settle_seconds=2, ack_every=5),),
    throughput=ThroughputPlan(lifecycles=20, concurrency=10, rounds=2),
    recovery=RecoveryPlan(incidents=10, window_seconds=6, dead_seconds=3),
)
FULL_OPEN_RATE = 15
"""Incidents opened (and escalating) a second in the full lag runs: below the 17.8 to 22 a second
a two-core machine opens and pages at the limit (2026-12-02), so the lag is not the opening's
backlog. Faster machines can be pushed with `--open-rate`."""
FULL = RunPlan(
    mode="full",
    lag=tuple(
        LagPlan(
            incidents=incidents,
            open_rate=FULL_OPEN_RATE,
            settle_seconds=45,
            settle_share=0.25,
            ack_every=10,
        )
        for incidents in (1_000, 10_000)
    ),
    throughput=ThroughputPlan(lifecycles=100, concurrency=40, rounds=10),
    recovery=RecoveryPlan(incidents=200, window_seconds=40, dead_seconds=3),
)


async def run(
    plan: RunPlan,
    out: Path,
    *,
    settings: WorkerSettings,
    scenarios: tuple[str, ...] = SCENARIOS,
    keep: bool = False,
    say: Callable[[str], None] = print,
) -> Results:
    """Run the scenarios and write results.json, results.md and lag.png into `out`."""
    began = time.monotonic()
    results = Results(
        mode=plan.mode,
        command=shlex.join(["python", "-m", "benchmarks", *sys.argv[1:]]),
        started_at=datetime.now(UTC),
        machine=Machine.now(),
        software=_software(),
        worker=settings.tuning.describe(),
    )
    with _workdir(keep) as workdir:
        root = Path(workdir)
        if "lag" in scenarios:
            for lag_plan in plan.lag:
                say(
                    f"lag: {lag_plan.incidents:,} incidents at {lag_plan.open_rate:g}/s, "
                    f"tier-1 window {lag_plan.tier_1_window.total_seconds():.0f} s"
                )
                async with dev_server(root / f"lag-{lag_plan.incidents}") as server:
                    results.lag.append(await measure_lag(server, lag_plan, settings))
                say(f"  lag p99 {results.lag[-1].lag.p99:,.0f} ms")
        if "throughput" in scenarios:
            say(f"throughput: {plan.throughput.lifecycles} lifecycles per kind and round")
            async with dev_server(root / "throughput") as server:
                results.throughput = await measure_throughput(server, plan.throughput, settings)
            say(f"  ratio {results.throughput.ratio}")
        if "history" in scenarios:
            say("history: a typical critical incident")
            async with dev_server(root / "history") as server:
                results.history = await measure_history(server, settings)
        if "recovery" in scenarios:
            recovery = plan.recovery
            say(
                f"recovery: {recovery.incidents} incidents, the worker killed, a replacement "
                f"{recovery.dead_seconds:g} s after the last tier-1 window"
            )
            async with dev_server(root / "recovery") as server:
                results.recovery = await measure_recovery(server, recovery, settings)
            if results.recovery.recovery:
                say(f"  recovery max {results.recovery.recovery.max:,.0f} ms")
    results.machine.finish()
    results.wall_seconds = round(time.monotonic() - began, 1)
    save(results, out)
    say(f"wrote {out / 'results.md'} in {results.wall_seconds:.0f} s")
    return results


def save(results: Results, out: Path) -> None:
    """results.json (every figure and sample), results.md and, with lag runs, lag.png."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(results.model_dump_json(indent=1), encoding="utf-8")
    if results.lag:
        draw_lag_chart(results.lag, out / "lag.png")
    (out / "results.md").write_text(render_report(results), encoding="utf-8")


def _workdir(keep: bool) -> AbstractContextManager[str]:
    """Servers' SQLite files, logs and outboxes; kept for a look when asked."""
    if keep:
        return nullcontext(tempfile.mkdtemp(prefix="escalation-bench-"))
    return tempfile.TemporaryDirectory(prefix="escalation-bench-")


def _software() -> str:
    temporal = subprocess.run(
        [find_executable("temporal"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    settings = ", ".join(f"{key}={value}" for key, value in SERVER_SETTINGS)
    return (
        f"{temporal or 'temporal CLI'}; Python {platform.python_version()}, "
        f"temporalio {temporalio.__version__}; dynamic config {settings}"
    )
