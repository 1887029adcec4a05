"""`escalation dev`: dev server + worker + a demo incident, on one laptop, with no credentials.

The server keeps its state in a SQLite file, so stopping and starting again resumes every open
incident (their SLA timers included). The demo incident has a fixed dedup key, so a second run
joins the incident it opened the first time instead of opening another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client

from activities.outbox import outbox_path
from api.server import HttpService
from api.settings import http_settings
from escalation.alerts import Alert
from escalation.incident import IncidentState
from escalation.policy_loader import load_policy, policy_path
from starter.devserver import DevServer, DevServerSettings
from starter.incidents import incident_status
from starter.opening import OpenedIncident, open_incident
from wiring.metrics import install_metrics_from_environment
from worker.runner import run_worker

STATE_DIR = Path(".escalation")
OPENED_WAIT_SECONDS = 15.0

DEMO_ALERT = Alert(
    title="checkout failing",
    service="payments",
    description="HTTP 502 on POST /checkout for most requests since the last deploy.",
    category="outage",
    users_affected=1200,
    clients_affected=["acme", "globex"],
    dedup_key="demo-checkout",
    source="escalation dev",
    alert_id="escalation-dev-demo",
)
"""Critical under the example policy's decision matrix: two clients are affected. The fixed
alert id makes a rerun of `escalation dev` join the incident without counting a new alert."""


@dataclass(frozen=True)
class DemoReport:
    """What the dev stack prints once everything runs."""

    incident: OpenedIncident
    state: IncidentState | None
    settings: DevServerSettings
    outbox: Path
    server_log: Path
    front_door: str | None = None
    """The HTTP front door's URL, when it runs."""


Say = Callable[[str], None]


async def run_dev_stack(settings: DevServerSettings, say: Say) -> None:
    """Start the server, run the worker in-process, open the demo incident; stop on Ctrl-C."""
    policy = load_policy(policy_path())
    metrics = install_metrics_from_environment()
    server = DevServer(settings, log_file=STATE_DIR / "temporal.log")
    server.start()
    worker: asyncio.Task[None] | None = None
    front_door: HttpService | None = None
    try:
        say(f"Temporal dev server starting on {settings.address} (data: {settings.db_file})")
        if metrics is not None:
            say(f"Worker metrics: {metrics.url}")
        client = await server.wait_until_ready()
        worker = asyncio.create_task(run_worker(client))
        front_door = HttpService(client, http_settings(), policy_path(), embedded=True)
        await front_door.start()
        incident = await open_incident(client, DEMO_ALERT, policy=policy)
        state = await _opened_state(client, incident.key, worker)
        if worker.done():  # stopped (Ctrl-C) before the demo was ready
            await worker
            return
        say(
            next_steps(
                DemoReport(
                    incident,
                    state,
                    settings,
                    outbox_path().resolve(),
                    server.log_file.resolve(),
                    front_door.url,
                )
            )
        )
        await worker
    finally:
        if front_door is not None:
            await front_door.stop()
        if worker is not None and not worker.done():
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        say("stopping the dev server")
        server.stop()


async def _opened_state(
    client: Client, key: str, worker: asyncio.Task[None]
) -> IncidentState | None:
    """The demo incident once the worker has opened it, to show its severity and tier."""
    deadline = time.monotonic() + OPENED_WAIT_SECONDS
    while time.monotonic() < deadline and not worker.done():
        with contextlib.suppress(Exception):
            return await incident_status(client, key)
        await asyncio.sleep(0.2)
    if worker.done():
        worker.result()
    logging.getLogger(__name__).warning("the demo incident has not opened yet")
    return None


def _command(name: str) -> str:
    """How the user's own shell reaches a tool of this environment: `.venv/bin/escalation` after
    `make run` (uv puts .venv/bin on PATH only for the process it runs), the bare name otherwise."""
    executable = Path(sys.executable).parent / name
    try:
        return str(executable.relative_to(Path.cwd()))
    except ValueError:
        return name


def next_steps(report: DemoReport) -> str:
    """The welcome text: what is running, where to look, what to type."""
    settings, key = report.settings, report.incident.key
    prefix = "" if settings.port == 7233 else f"TEMPORAL_ADDRESS={settings.address} "
    how = "joined the open" if report.incident.attached else "opened a new"
    state = report.state
    where = (
        f"{state.status}, {state.severity}, tier {state.tier}" if state else report.incident.summary
    )
    lines = [
        "",
        f"Escalation dev stack is running: {how} demo incident {report.incident.workflow_id} "
        f"({where}).",
    ]
    if settings.ui_port is not None:
        lines.append(
            f"  Temporal UI:  http://localhost:{settings.ui_port}/namespaces/default/workflows/"
            f"{report.incident.workflow_id}"
        )
    escalation, temporal = _command("escalation"), _command("temporal")
    lines += [
        *(
            [f"  HTTP intake:  {report.front_door}  (OpenAPI: {report.front_door}/docs)"]
            if report.front_door
            else []
        ),
        f"  Outbox:       {report.outbox}  (email/SMS without credentials land here)",
        f"  Server log:   {report.server_log}",
        "",
        "Try:",
        f"  {prefix}{escalation} status {key}",
        f"  {prefix}{escalation} ack {key} --by you --note 'looking'",
        f"  {prefix}{escalation} resolve {key} --by you --cause 'bad deploy' --resolution 'rolled back'",
        *(
            [
                f"  curl -X POST {report.front_door}/v1/alerts -H 'Authorization: Bearer "
                "demo-generic-key' -H 'Content-Type: application/json' "
                """-d '{"title": "disk full", "dedup_key": "disk-db1"}'"""
            ]
            if report.front_door
            else []
        ),
        f"  {temporal} workflow signal --address {settings.address} --workflow-id "
        f'{report.incident.workflow_id} --name add_note --input \'{{"by": "you", "text": "hi"}}\'',
        "",
        "Ctrl-C stops the worker and the server; the next `escalation dev` resumes from "
        f"{settings.db_file.resolve()}.",
    ]
    return "\n".join(lines)
