"""`escalation report` and `escalation stats` against real servers, through the Typer app.

The report runs on the time-skipping server (exact workflow-time durations); stats needs
visibility (`list_workflows`), which only the dev server implements.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from escalation.alerts import Alert
from escalation.incident import IncidentState
from starter.cli import app
from starter.incidents import IncidentNotReady, incident_status, send_verb
from starter.opening import open_incident
from starter.records import completed_incidents
from tests.conftest import EXAMPLE_POLICY, IncidentWorker, worker_on
from tests.polling import poll

DEADLINE_SECONDS = 30.0
SECRET_NOTE = "rollback blocked by a hotfix only we know about"

runner = CliRunner()


async def escalation(client: Client, *args: str) -> Result:
    """Run the CLI against this test's server, in a thread: the CLI runs its own event loop."""
    env = {
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": client.namespace,
        "TEMPORAL_CONFIG_FILE": "/nonexistent.toml",
        "ESCALATION_POLICY": str(EXAMPLE_POLICY),
    }
    return await asyncio.to_thread(runner.invoke, app, list(args), env=env)


async def open_low(
    worker: IncidentWorker,
    service: str,
    title: str = "probe flapping",
    clients: tuple[str, ...] = (),
) -> str:
    """A low-severity incident (review: none, so resolving closes it); returns its key."""
    alert = Alert(
        title=title,
        service=service,
        severity="low",
        clients_affected=list(clients),
        dedup_key=f"r-{uuid.uuid4().hex[:10]}",
        source="prometheus",
    )
    opened = await open_incident(worker.client, alert, task_queue=worker.task_queue)
    worker.track(opened.workflow_id)
    await wait_for_opening(worker.client, opened.key)
    return opened.key


async def wait_for_opening(client: Client, key: str) -> None:
    """Until the policy snapshot is back and `opened_at` is set: durations count from there."""
    await poll(
        lambda: incident_status(client, key),
        lambda _: True,
        f"{key} opening",
        retry_on=(IncidentNotReady,),
    )


async def test_report_of_a_running_then_closed_incident(
    time_skipping_env: WorkflowEnvironment, make_worker, tmp_path: Path
) -> None:
    env = time_skipping_env
    client = env.client
    w = make_worker(client)
    async with w.worker:
        key = await open_low(w, "monitoring")
        await env.sleep(timedelta(minutes=5))
        await send_verb(client, key, "acknowledge", {"by": "alice"})
        await send_verb(client, key, "add_note", {"by": "alice", "text": SECRET_NOTE})

        running = await escalation(client, "report", key)
        assert running.exit_code == 0, running.output
        assert "| acknowledge | 8h | 5m | met |" in running.stdout
        assert "| resolve | 3d | - | pending |" in running.stdout

        await env.sleep(timedelta(minutes=7))
        resolve = {"by": "bob", "cause": "Probe timeout too tight", "resolution": "Raised it"}
        resolved = await send_verb(client, key, "resolve", resolve)
        assert resolved.status == "closed"
        final = await client.get_workflow_handle(
            f"incident-{key}", result_type=IncidentState
        ).result()
        assert final.status == "closed"

    # The worker is gone: a completed incident is reported from its result.
    html = tmp_path / "report.html"
    internal = await escalation(client, "report", f"incident-{key}", "--html", str(html))
    assert internal.exit_code == 0, internal.output
    lines = internal.stdout.splitlines()
    assert lines[0] == "# Incident report: probe flapping"
    assert "| Severity | low (matched rule: explicit severity from the reporter) |" in lines
    assert "| acknowledge | 8h | 5m | met |" in lines
    assert "| resolve | 3d | 12m | met |" in lines
    assert "- Cause: Probe timeout too tight" in lines
    assert SECRET_NOTE in internal.stdout
    assert internal.stderr == f"HTML report written to {html}\n"
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    public = await escalation(client, "report", key, "--client")
    assert public.exit_code == 0, public.output
    assert "| resolve | 3d | 12m | met |" in public.stdout
    assert SECRET_NOTE not in public.stdout

    facts = await escalation(client, "report", key, "--json")
    assert json.loads(facts.stdout)["resolve_sla"]["verdict"] == "met"


async def test_report_of_an_unknown_incident_is_one_error_line(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    result = await escalation(time_skipping_env.client, "report", "no-such-incident")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: no incident incident-no-such-incident in this namespace\n"


@pytest.fixture
def service() -> str:
    """A service name of this test's own: stats over the shared dev server list only its incidents."""
    return f"svc-{uuid.uuid4().hex[:8]}"


async def test_stats_over_closed_incidents(
    dev_server_env: WorkflowEnvironment, make_worker, service: str
) -> None:
    client = dev_server_env.client
    async with worker_on(dev_server_env, make_worker) as w:
        keys = [await open_low(w, service, title=f"probe {n}") for n in range(3)]
        causes = ["Expired cert", "expired  CERT.", "disk full"]
        for key, cause in zip(keys, causes, strict=True):
            await send_verb(
                client, key, "resolve", {"by": "bob", "cause": cause, "resolution": "x"}
            )
        for key in keys:
            await client.get_workflow_handle(f"incident-{key}").result()
    await wait_until_listed(client, service, len(keys))

    as_json = await escalation(client, "stats", "--service", service, "--json", "--top", "1")
    assert as_json.exit_code == 0, as_json.output
    figures = json.loads(as_json.stdout)
    assert figures["overall"]["incidents"] == 3
    assert figures["overall"]["resolved"] == 3
    assert figures["overall"]["ack_breach_rate"] == 0.0
    assert list(figures["by_service"]) == [service]
    assert list(figures["by_severity"]) == ["low"]
    (top,) = figures["top_causes"]
    assert (top["cause"], top["count"]) == ("expired cert", 2)
    assert sorted(top["incidents"]) == sorted(f"incident-{k}" for k in keys[:2])

    tables = await escalation(client, "stats", "--service", service, "--since", "1d")
    assert tables.exit_code == 0, tables.output
    assert f"3 closed incidents in the last 1d for {service}" in tables.stdout
    assert "Most frequent causes" in tables.stdout

    nothing = await escalation(client, "stats", "--service", f"{service}-none")
    assert nothing.exit_code == 0, nothing.output
    assert "0 closed incidents in the last 30d" in nothing.stdout


async def test_stats_for_one_clients_contract(
    dev_server_env: WorkflowEnvironment, make_worker, service: str
) -> None:
    client = dev_server_env.client
    async with worker_on(dev_server_env, make_worker) as w:
        key = await open_low(w, service, clients=("acme",))
        wait = {"by": "bob", "client": "acme", "reason": "asked for logs"}
        await send_verb(client, key, "wait_for_client", wait)
        await send_verb(client, key, "resolve", {"by": "bob", "cause": "c", "resolution": "r"})
        await client.get_workflow_handle(f"incident-{key}").result()
        await open_low(w, service)  # no client: not listed
    await wait_until_listed(client, service, 1)

    as_json = await escalation(
        client, "stats", "--service", service, "--client", "ACME Corp", "--json"
    )
    assert as_json.exit_code == 0, as_json.output
    stats = json.loads(as_json.stdout)
    [row] = stats["incidents"]
    assert row["incident_id"] == f"incident-{key}"
    verdicts = {o["clock"]: o["verdict"] for o in row["outcomes"]}
    assert verdicts == {"acknowledge": "met", "resolve": "met"}
    [resolve] = [o for o in row["outcomes"] if o["clock"] == "resolve"]
    assert resolve["target"] == "P3D" and resolve["paused"] != "PT0S"  # the wait is not counted
    assert (stats["met"], stats["missed"]) == (2, 0)

    table = await escalation(client, "stats", "--service", service, "--client", "acme")
    assert table.exit_code == 0, table.output
    assert "ACME Corp: 1 closed incidents under contract" in table.stdout
    assert "met 2, missed 0, pending 0" in table.stdout

    unknown = await escalation(client, "stats", "--client", "initech")
    assert unknown.exit_code == 1
    assert "--client: unknown client 'initech'" in unknown.stderr


async def wait_until_listed(client: Client, service: str, count: int) -> None:
    """Visibility catches up with closes a moment later: poll it, with a deadline."""
    await poll(
        lambda: completed_incidents(client, service=service),
        lambda rows: len(rows) >= count,
        f"{count} closed {service} incidents listed",
    )
