"""`escalation list --all`, `escalation show` and `escalation archive backfill`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from activities.archive.database import Archive
from activities.archive.reads import IncidentQuery, find_incident, find_incidents, find_reviews
from activities.archive.writes import record_incident
from escalation.archive import log_version
from escalation.incident import IncidentState
from escalation.policy import Policy
from starter.cli import app
from tests.escalation.report_scenario import at, critical_checkout, open_incident
from tests.workflows.helpers import start_incident, wait_for

runner = CliRunner()


def archived_three(path: Path, policy: Policy) -> dict[str, str]:
    """An archive holding a closed-out critical incident and two open ones; its environment."""
    archive = Archive(f"sqlite:///{path}")
    for state in (
        critical_checkout(policy),
        open_incident(policy, "db-b", now=at(hours=30), clients_affected=["globex"]),
        open_incident(policy, "db-c", now=at(hours=48), title="queue backlog", service="billing"),
    ):
        record_incident(archive.engine, state, log_version(state))
    archive.dispose()
    return {"ESCALATION_ARCHIVE_URL": f"sqlite:///{path}"}


def listed(env: dict[str, str], *args: str) -> list[str]:
    result = runner.invoke(app, ["list", "--all", "--json", *args], env=env)
    assert result.exit_code == 0, result.output
    return [incident["key"] for incident in json.loads(result.output)]


def test_list_all_reads_the_archive_with_filters(tmp_path: Path, example_policy: Policy) -> None:
    env = archived_three(tmp_path / "archive.db", example_policy)
    assert listed(env) == ["db-c", "db-b", "checkout"]
    assert listed(env, "--service", "payments") == ["db-b", "checkout"]
    assert listed(env, "--client", "acme") == ["checkout"]
    assert listed(env, "--status", "resolved") == ["checkout"]
    assert listed(env, "--text", "tls certificate") == ["checkout"]
    assert listed(env, "--since", "3000d", "--limit", "1") == ["db-c"]
    assert listed(env, "--since", "1d") == []  # the scenario is from March 2026
    table = runner.invoke(app, ["list", "--all"], env=env)
    assert table.exit_code == 0 and "queue backlog" in table.output


def test_show_prints_an_archived_incident_as_status_does(
    tmp_path: Path, example_policy: Policy
) -> None:
    env = archived_three(tmp_path / "archive.db", example_policy)
    shown = runner.invoke(app, ["show", "checkout"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "incident-checkout" in shown.output and "RESOLVED" in shown.output
    assert "Expired TLS certificate" in shown.output  # the timeline
    as_json = runner.invoke(app, ["show", "checkout", "--json"], env=env)
    assert IncidentState.model_validate_json(as_json.output) == critical_checkout(example_policy)
    missing = runner.invoke(app, ["show", "nope"], env=env)
    assert missing.exit_code == 1 and "nope is not in the archive" in missing.output


def test_a_bad_archive_url_is_one_error_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", "x"], env={"ESCALATION_ARCHIVE_URL": "mysql://x/y"})
    assert result.exit_code == 1
    assert "ESCALATION_ARCHIVE_URL: expected sqlite:///PATH" in result.output


async def test_backfill_copies_what_temporal_holds(
    dev_server_env: WorkflowEnvironment, make_worker, tmp_path: Path
) -> None:
    """Into an archive the worker never wrote: a closed incident from its result, a running
    one from its query; a second run changes nothing."""
    worker = make_worker(dev_server_env.client)  # archiving into its own database
    async with worker.worker:
        closed = await start_incident(worker)
        await closed.execute_update("acknowledge", {"by": "alice"})
        await closed.execute_update(
            "resolve", {"by": "alice", "cause": "disk full", "resolution": "cleaned"}
        )
        closed_state = IncidentState.model_validate(await closed.result())
        running = await start_incident(worker, title="queue backlog")
        running_state = await wait_for(running, lambda s: bool(s.notifications))

        target = tmp_path / "backfilled.db"
        env = {
            "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
            "TEMPORAL_NAMESPACE": dev_server_env.client.namespace,
            "TEMPORAL_CONFIG_FILE": "/nonexistent.toml",
            "ESCALATION_ARCHIVE_URL": f"sqlite:///{target}",
        }
        first = await asyncio.to_thread(
            runner.invoke, app, ["archive", "backfill", "--json"], env=env
        )
        assert first.exit_code == 0, first.output
        again = await asyncio.to_thread(
            runner.invoke, app, ["archive", "backfill", "--json"], env=env
        )
    archive = Archive(f"sqlite:///{target}")
    assert find_incident(archive.engine, closed.id) == closed_state
    stored = find_incident(archive.engine, running.id)
    assert stored is not None and stored.status == "triggered"
    assert stored.timeline[: len(running_state.timeline)] == running_state.timeline
    counts = json.loads(first.output)
    assert counts["incidents"] >= 2  # the session's dev server holds other tests' too
    assert json.loads(again.output)["incidents"] == 0  # nothing newer the second time
    everything = find_incidents(archive.engine, IncidentQuery())
    assert len({i.incident_id for i in everything}) == len(everything)
    assert find_reviews(archive.engine, [closed.id]) == {}
    archive.dispose()
