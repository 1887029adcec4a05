"""Record the replay histories: `python -m tests.replay.record <generation>`.

Runs every scenario of `tests.replay.scenarios` on a fresh dev server (histories as the real
server writes them) with the current workflow code and the example policy sped up (a policy minute
lasts 0.1 s), and writes each kept workflow's history to
`tests/replay/histories/<generation>/<scenario>-<n>[-run<k>]-<workflow type>.json[.gz]`. About
three minutes.

A generation is the workflow code that made it. Keep old generations while incidents started by
that code may still be running: `test_replay` replays every generation against today's code.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from temporalio.client import Client

from activities.outbox import Outbox
from escalation.durations import parse_short_duration
from escalation.policy_loader import load_policy
from starter.devserver import DevServer, DevServerSettings, free_port
from tests.conftest import EXAMPLE_POLICY, IncidentWorker
from tests.fakes.providers import FakeProviders
from tests.fakes.slack import FakeSlack
from tests.replay.scenarios import SCENARIOS, Scenario, Stage
from tests.slack_support import fake_slack_activities

HISTORIES = Path(__file__).resolve().parent / "histories"
GENERATION = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
SHORT_DURATION = re.compile(r"^\d+(\.\d+)?[smhdw]$")
COMPRESS_ABOVE = 1_500_000
"""Bytes of JSON past which a history is stored gzipped (a flood's run is several MB)."""
OUR_BOUND_FIRST = ("--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=20000")
"""The dev server suggests continue-as-new at about 4,000 events; raised, so a flood's history
records the workflow's own bound (HISTORY_LIMIT) and its patch, as servers set otherwise see."""
SCALE = 1 / 600
"""A policy minute lasts 0.1 s: short enough to record quickly, long enough for the dev server."""


def sped_up_policy(scratch: Path, scenario: Scenario | None = None) -> Path:
    """The example policy (as the scenario edits it) with every duration multiplied by SCALE."""
    policy = load_policy(EXAMPLE_POLICY).model_dump(mode="json")
    if scenario is not None and scenario.policy is not None:
        policy = scenario.policy(policy)
    path = scratch / (f"{scenario.name}-policy.yaml" if scenario else "policy.yaml")
    path.write_text(yaml.safe_dump(_scaled(policy)), encoding="utf-8")
    load_policy(path)  # still a valid policy
    return path


def _scaled(value: Any) -> Any:
    """Durations serialize to their short form (`15m`); nothing else in a policy looks like one."""
    if isinstance(value, str) and SHORT_DURATION.match(value):
        return f"{parse_short_duration(value).total_seconds() * SCALE:.3f}s"
    if isinstance(value, dict):
        return {key: _scaled(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scaled(item) for item in value]
    return value


async def record_scenario(
    client: Client, scenario: Scenario, policy: Path, target: Path, scratch: Path
) -> list[Path]:
    """Drive one scenario with its own worker and fake providers, and save its histories."""
    with FakeProviders() as providers, FakeSlack() as slack:
        outbox = Outbox(scratch / f"{scenario.name}.jsonl")
        slack_calls = fake_slack_activities(slack) if scenario.slack else None
        worker = IncidentWorker(
            client, policy, providers.transports(), outbox=outbox, slack=slack_calls
        )
        async with worker.worker:
            kept = await scenario.drive(Stage(worker, providers, SCALE, slack))
            saved = []
            for n, workflow_id in enumerate(kept, start=1):
                saved += await save_histories(client, workflow_id, target / f"{scenario.name}-{n}")
            # What runs on (a schedule keeps its fixed id) would sit on this scenario's task
            # queue, never polled again, and take the next scenario's signals for that id.
            await worker.terminate_tracked()
            return saved


async def save_histories(client: Client, workflow_id: str, stem: Path) -> list[Path]:
    """Every run of the workflow, oldest first (`-run2`... once it continued as new), each as
    JSON, gzipped when over COMPRESS_ABOVE bytes."""
    description = await client.get_workflow_handle(workflow_id).describe()
    run_id = description.raw_description.workflow_execution_info.first_run_id
    runs = []
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        runs.append(history)
        last = history.events[-1].workflow_execution_continued_as_new_event_attributes
        run_id = last.new_execution_run_id
    paths = []
    for n, history in enumerate(runs, start=1):
        started = history.events[0].workflow_execution_started_event_attributes
        run = f"-run{n}" if len(runs) > 1 else ""
        path = stem.with_name(f"{stem.name}{run}-{started.workflow_type.name}.json")
        text = history.to_json()
        if len(text) > COMPRESS_ABOVE:
            path = path.with_suffix(".json.gz")
            path.write_bytes(gzip.compress(text.encode("utf-8")))
        else:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


async def record(generation: str, names: list[str]) -> None:
    target = HISTORIES / generation
    target.mkdir(parents=True, exist_ok=True)
    chosen = [s for s in SCENARIOS if not names or s.name in names]
    scratch = target / ".scratch"
    scratch.mkdir(exist_ok=True)
    settings = DevServerSettings(
        db_file=scratch / "temporal.db",
        port=free_port(),
        ui_port=None,
        log_level="error",
        extra_args=OUR_BOUND_FIRST,
    )
    server = DevServer(settings, log_file=scratch / "temporal.log")
    server.start()
    try:
        client = await server.wait_until_ready()
        policy = sped_up_policy(scratch)
        for scenario in chosen:
            own = sped_up_policy(scratch, scenario) if scenario.policy is not None else policy
            for path in await record_scenario(client, scenario, own, target, scratch):
                print(f"recorded {path.relative_to(HISTORIES)}")
    finally:
        server.stop()
        shutil.rmtree(scratch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("generation", help="directory name, e.g. 2026-11-22-initial")
    parser.add_argument("scenario", nargs="*", help="only these scenarios (default: all)")
    args = parser.parse_args()
    if not GENERATION.match(args.generation):
        parser.error("generation: lower-case letters, digits, '.', '_' or '-'")
    unknown = set(args.scenario) - {s.name for s in SCENARIOS}
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    asyncio.run(record(args.generation, args.scenario))


if __name__ == "__main__":
    main()
