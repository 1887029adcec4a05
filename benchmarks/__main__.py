"""`python -m benchmarks [--quick]`: see docs/benchmarks.md."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from pathlib import Path

from benchmarks.runner import FULL, QUICK, SCENARIOS, run
from benchmarks.stack import WorkerSettings
from benchmarks.tuning import WorkerTuning

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks"
QUICK_OUT = Path(".escalation/benchmarks")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Escalation lag, throughput against a bare workflow, worker memory, history "
        "size, start rate and update latency, on a dev server started for the run.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, under a minute (checks the runner)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"where results.md, results.json and lag.png go (default: {DOCS} for a full run, "
        f"{QUICK_OUT} for --quick)",
    )
    parser.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        help=f"comma-separated scenarios to run (default: all of {','.join(SCENARIOS)})",
    )
    parser.add_argument(
        "--incidents",
        help="comma-separated open-incident counts for the lag runs (default: 1000,10000; "
        "--quick: 60)",
    )
    parser.add_argument(
        "--open-rate",
        type=float,
        help="incidents opened per second in the lag runs (default: 15, --quick: 30); keep it "
        "below the machine's start rate at the limit, or the lag measures the opening's backlog",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="benchmark worker processes on the lag runs' task queue (default: 1)",
    )
    parser.add_argument(
        "--worker",
        default="{}",
        help='worker settings as JSON, e.g. \'{"sandbox": "on"}\' (see benchmarks/tuning.py); '
        "default: production's",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the servers' files and worker logs"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample each worker with py-spy (on PATH) into DIR/<scenario>.txt, collapsed stacks",
    )
    arguments = parser.parse_args()
    plan = QUICK if arguments.quick else FULL
    if arguments.incidents:
        counts = [int(count) for count in arguments.incidents.split(",")]
        plan = replace(plan, lag=tuple(replace(plan.lag[-1], incidents=n) for n in counts))
    if arguments.open_rate is not None:
        if arguments.open_rate <= 0:
            parser.error("--open-rate must be above 0")
        plan = replace(
            plan, lag=tuple(replace(run, open_rate=arguments.open_rate) for run in plan.lag)
        )
    if arguments.workers < 1:
        parser.error("--workers must be at least 1")
    plan = replace(plan, lag=tuple(replace(run, workers=arguments.workers) for run in plan.lag))
    out = arguments.out or (QUICK_OUT if arguments.quick else DOCS)
    scenarios = tuple(name.strip() for name in arguments.only.split(",") if name.strip())
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    settings = WorkerSettings(
        tuning=WorkerTuning.model_validate_json(arguments.worker), profile_dir=arguments.profile
    )
    asyncio.run(run(plan, out, settings=settings, scenarios=scenarios, keep=arguments.keep))


if __name__ == "__main__":
    main()
