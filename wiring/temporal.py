"""How our processes plug into Temporal: the data converter, the workflow runner and the client's
connect options. Worker, starter, HTTP service and tests all use these, so every client decodes
the same payloads and every worker runs workflow code the same way.

The data converter: Pydantic payloads (Temporal's own converter), and an operator's refused verb
leaves the worker as its reason without the worker's stack trace. The Temporal UI shows a
failure's trace under its message; for a refusal ("acknowledge: already resolved by alice") the
trace of the workflow code that said no is noise to an operator. Other failures keep theirs.

The runner: production workers run workflows outside the SDK's sandbox by default. The sandbox
re-creates its restricted view of the standard library for every workflow run it starts, and
every incident that left the worker's cache starts one again to replay, which makes escalations
late when many incidents are open (figures: README, Worker settings, and docs/benchmarks). What
the sandbox would catch at run time, a clock or random call or I/O in workflow code, the
in-process workflow tests and the replay tests catch in CI: they run `strict`. (The end-to-end
tests run the real worker process, so with production's setting.)
`ESCALATION_WORKFLOW_SANDBOX=on` puts a production worker back in the sandbox, with our own
workflow modules passed through: imported once, not again for every run (re-importing them is
what made the strict sandbox's lag the worst of all). `phonenumbers` is passed through in every
sandbox: it loads each region's metadata lazily, and inside the sandbox that import touches
`threading.Lock` and fails the workflow task.

The client: configured the SDK's own way (env vars, profiles, TLS, API key).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Literal, cast

from temporalio.api.failure.v1 import Failure
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverter, PayloadConverter
from temporalio.envconfig import ClientConfig
from temporalio.exceptions import ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from escalation.environment import SettingInvalid, choice_setting
from workflows.failures import REFUSED, Refusal

# -- the data converter ---------------------------------------------------------------------------


class OperatorFailureConverter(DefaultFailureConverter):
    """The default converter, minus the stack trace of refusals."""

    def to_failure(
        self, exception: BaseException, payload_converter: PayloadConverter, failure: Failure
    ) -> None:
        super().to_failure(exception, payload_converter, failure)
        refused = isinstance(exception, Refusal) or (
            isinstance(exception, ApplicationError) and exception.type == REFUSED
        )
        if refused:
            failure.stack_trace = ""


DATA_CONVERTER: DataConverter = dataclasses.replace(
    pydantic_data_converter, failure_converter_class=OperatorFailureConverter
)
"""Pydantic payloads (Temporal's own converter) and refusals without traces: every client uses it."""


# -- the workflow runner --------------------------------------------------------------------------

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


# -- the client -----------------------------------------------------------------------------------

DEFAULT_ADDRESS = "localhost:7233"


class TemporalUnreachable(ConnectionError):
    """The Temporal service did not accept a connection at the configured address."""

    def __init__(self, address: str, reason: str) -> None:
        self.address = address
        self.reason = reason
        super().__init__(
            f"cannot reach Temporal at {address}: {reason} "
            "(set TEMPORAL_ADDRESS, or start a local stack with `escalation dev`)"
        )


def client_config(profile: str | None = None) -> dict[str, Any]:
    """TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY / TLS / profile files, read now:
    a broken profile file is a configuration error, found before any connection attempt."""
    config: dict[str, Any] = dict(ClientConfig.load_client_connect_config(profile=profile))
    config.setdefault("target_host", DEFAULT_ADDRESS)
    return config


async def connect(profile: str | None = None, *, config: dict[str, Any] | None = None) -> Client:
    """A client to the configured service; TemporalUnreachable when nothing answers there."""
    config = client_config(profile) if config is None else config
    try:
        return await Client.connect(**config, data_converter=DATA_CONVERTER)
    except RuntimeError as error:
        if "client connect" not in str(error):
            raise
        reason = connect_failure_reason(str(error))
        raise TemporalUnreachable(str(config["target_host"]), reason) from None


def connect_failure_reason(message: str) -> str:
    """`Connection refused` out of the SDK's nested transport error text."""
    found = re.search(r'message: "([^"]+)"', message) or re.search(r"\(([^()]+)\)+$", message)
    reason = found.group(1) if found else message.removeprefix("Failed client connect: ")
    return reason[:1].lower() + reason[1:]
