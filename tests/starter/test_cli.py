"""The `escalation` CLI: policy checks, client-side validation, clean errors (without a server),
and who a verb is recorded as (with one)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from starter.cli import app
from starter.cli_support import actor
from tests.workflows.helpers import start_incident, status

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_POLICY = ROOT / "examples" / "policy.yaml"
UNREACHABLE = {"TEMPORAL_ADDRESS": "127.0.0.1:1", "TEMPORAL_CONFIG_FILE": "/nonexistent.toml"}

runner = CliRunner()


def test_policy_check_accepts_the_example() -> None:
    result = runner.invoke(app, ["policy", "check", str(EXAMPLE_POLICY)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"OK: {EXAMPLE_POLICY}"
    assert lines[1].startswith("4 severities (critical, high, medium, low), 3 tiers")
    assert result.stderr == ""


def test_policy_check_names_every_problem(tmp_path: Path) -> None:
    text = EXAMPLE_POLICY.read_text(encoding="utf-8")
    broken = text.replace(
        "{name: Tier 2 specialists, contacts: [bob]", "{name: Tier 2 specialists, contacts: [bobb]"
    )
    assert broken != text
    policy = tmp_path / "policy.yaml"
    policy.write_text(broken, encoding="utf-8")

    result = runner.invoke(app, ["policy", "check", str(policy)])

    assert result.exit_code == 1
    assert result.stdout == ""
    first, *problems = result.stderr.splitlines()
    assert first.startswith(f"error: {policy}: invalid policy")
    assert any("tiers[1].contacts[0]: unknown contact 'bobb'" in line for line in problems)
    assert "Traceback" not in result.output


def test_policy_check_on_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["policy", "check", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1
    assert "cannot read the file" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["status", "demo-checkout"],
        ["ack", "demo-checkout", "--by", "alice"],
        ["list", "--status", "triggered"],
        ["open", "--title", "checkout failing", "--service", "payments"],
        ["setup"],
    ],
)
def test_unreachable_server_is_one_error_line(args: list[str]) -> None:
    result = runner.invoke(app, args, env=UNREACHABLE)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: cannot reach Temporal at 127.0.0.1:1: connection refused "
        "(set TEMPORAL_ADDRESS, or start a local stack with `escalation dev`)"
    ]
    assert "Traceback" not in result.output


def test_a_bad_alert_is_refused_before_connecting() -> None:
    result = runner.invoke(
        app,
        ["open", "--title", "t", "--service", "s", "--dedup-key", "not a key"],
        env=UNREACHABLE,
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: dedup_key: String should match pattern")
    assert len(result.stderr.splitlines()) == 1


def test_actor_defaults_to_the_login_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "responder")
    monkeypatch.setenv("USER", "responder")
    assert actor(None) == "responder"
    assert actor("alice") == "alice"


async def test_by_comes_from_escalation_user(
    dev_server_env: WorkflowEnvironment, make_worker
) -> None:
    """The acknowledgment the incident records is carol's, not the login name's."""
    worker = make_worker(dev_server_env.client)
    async with worker.worker:
        handle = await start_incident(worker)
        env = {
            "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
            "TEMPORAL_NAMESPACE": dev_server_env.client.namespace,
            "TEMPORAL_CONFIG_FILE": "/nonexistent.toml",
            "ESCALATION_USER": "carol",
            "LOGNAME": "mallory",
            "USER": "mallory",
        }
        result = await asyncio.to_thread(runner.invoke, app, ["ack", handle.id], env=env)
        assert result.exit_code == 0, result.output
        state = await status(handle)
    assert state.acknowledged_by == "carol"
