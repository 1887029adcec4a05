"""ESCALATION_WORKFLOW_SANDBOX: production's two choices, and a clear error for anything else."""

from __future__ import annotations

import subprocess
import sys

import pytest
from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from workflows.sandbox import (
    SANDBOX_SETTING,
    SandboxSettingInvalid,
    sandbox_from_environment,
    workflow_runner,
)


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
