"""How workers and replayers run workflow code: in the SDK's sandbox or not.

Production workers run workflows outside the sandbox by default. The sandbox re-creates its
restricted view of the standard library for every workflow run it starts, and every incident
that left the worker's cache starts one again to replay, which makes escalations late when many
incidents are open (figures: README, Worker settings, and docs/benchmarks). What the sandbox
would catch at run time, a clock or random call or I/O in workflow code, the in-process workflow
tests and the replay tests catch in CI: they run `strict`. (The end-to-end tests run the real
worker process, so with production's setting.)

`ESCALATION_WORKFLOW_SANDBOX=on` puts a production worker back in the sandbox, with our own
workflow modules passed through: imported once, not again for every run (re-importing them is
what made the strict sandbox's lag the worst of all).

`phonenumbers` is passed through in every sandbox: it loads each region's metadata lazily, and
inside the sandbox that import touches `threading.Lock` and fails the workflow task.
"""

from __future__ import annotations

from typing import Literal, cast

from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from escalation.environment import SettingInvalid, choice_setting

Sandbox = Literal["off", "on", "strict"]
"""off: no sandbox (production default); on: sandbox, our modules shared; strict: tests, replay."""

SANDBOX_SETTING = "ESCALATION_WORKFLOW_SANDBOX"
PASSED_THROUGH = ("phonenumbers",)
OWN_WORKFLOW_MODULES = ("workflows",)
PRODUCTION_CHOICES: tuple[Sandbox, ...] = ("off", "on")

SandboxSettingInvalid = SettingInvalid
"""ESCALATION_WORKFLOW_SANDBOX holds something other than `off` or `on`."""


def workflow_runner(sandbox: Sandbox, *, also_shared: tuple[str, ...] = ()) -> WorkflowRunner:
    """The runner for `sandbox`; `also_shared` adds modules `on` passes through (benchmarks)."""
    if sandbox == "off":
        return UnsandboxedWorkflowRunner()
    shared = () if sandbox == "strict" else (*OWN_WORKFLOW_MODULES, *also_shared)
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH, *shared)
    return SandboxedWorkflowRunner(restrictions=restrictions)


def sandbox_from_environment() -> Sandbox:
    """The production worker's choice: `off` unless ESCALATION_WORKFLOW_SANDBOX says `on`."""
    return cast(Sandbox, choice_setting(SANDBOX_SETTING, PRODUCTION_CHOICES, "off"))
