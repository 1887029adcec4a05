"""ESCALATION_WORKFLOW_SANDBOX: production's two choices, and a clear error for anything else."""

from __future__ import annotations

import subprocess
import sys

import pytest
from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from wiring.temporal import (
    SANDBOX_SETTING,
    SandboxSettingInvalid,
    sandbox_from_environment,
    workflow_runner,
)
from workflows.incident import IncidentWorkflow
from workflows.review import PostIncidentReviewWorkflow
from workflows.throttle import ContactThrottleWorkflow


@pytest.mark.parametrize(("value", "expected"), [(None, "off"), ("", "off"), (" ON ", "on")])
def test_production_runs_outside_the_sandbox_unless_told(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: str
) -> None:
    if value is None:
        monkeypatch.delenv(SANDBOX_SETTING, raising=False)
    else:
        monkeypatch.setenv(SANDBOX_SETTING, value)
    assert sandbox_from_environment() == expected


def test_strict_is_for_tests_not_a_production_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SANDBOX_SETTING, "strict")
    with pytest.raises(SandboxSettingInvalid, match="'strict': expected 'off' or 'on'"):
        sandbox_from_environment()


def test_each_choice_builds_its_runner() -> None:
    """(What each sandbox lets through is exercised by the tests that run in it: `strict` by
    every workflow and replay test, `on` by the worker-crash test's replacement worker.)"""
    assert isinstance(workflow_runner("off"), UnsandboxedWorkflowRunner)
    assert isinstance(workflow_runner("on"), SandboxedWorkflowRunner)
    assert isinstance(workflow_runner("strict"), SandboxedWorkflowRunner)


def passed_through(runner: WorkflowRunner, module: str) -> bool:
    """Whether the sandbox imports `module` once from the host: the SDK's rule, the module or a
    dotted parent listed in the restrictions' passthrough modules."""
    assert isinstance(runner, SandboxedWorkflowRunner)
    listed = runner.restrictions.passthrough_modules
    parts = module.split(".")
    return any(".".join(parts[:n]) in listed for n in range(1, len(parts) + 1))


OUR_WORKFLOW_MODULES = sorted(
    {w.__module__ for w in (IncidentWorkflow, PostIncidentReviewWorkflow, ContactThrottleWorkflow)}
)


def test_on_passes_our_workflow_modules_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the escalation-lag fix depends on: without it every run re-imports our modules
    inside a fresh sandbox (a lag p99 of 32 s at 1,500 open incidents)."""
    monkeypatch.setenv(SANDBOX_SETTING, "on")
    runner = workflow_runner(sandbox_from_environment())
    assert all(passed_through(runner, module) for module in OUR_WORKFLOW_MODULES)
    assert passed_through(runner, "phonenumbers.phonenumberutil")


def test_strict_keeps_our_workflow_modules_inside_the_sandbox() -> None:
    """The tests' sandbox re-imports them per run: that is what catches non-determinism."""
    runner = workflow_runner("strict")
    assert not any(passed_through(runner, module) for module in OUR_WORKFLOW_MODULES)
    assert passed_through(runner, "phonenumbers.phonenumberutil")


def test_the_worker_refuses_a_bad_setting_with_one_line() -> None:
    """Checked before it connects: no Temporal needed to see the mistake."""
    result = subprocess.run(
        [sys.executable, "-m", "worker"],
        env={"PATH": "/usr/bin:/bin", SANDBOX_SETTING: "maybe", "TEMPORAL_ADDRESS": "127.0.0.1:1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert f"error: {SANDBOX_SETTING}='maybe': expected 'off' or 'on'" in result.stderr
