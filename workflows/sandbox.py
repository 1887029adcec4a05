"""The sandbox every worker and replayer runs the workflows in.

`phonenumbers` loads each region's metadata lazily, the first time a number from that region is
parsed. Inside the sandbox that import would touch `threading.Lock` and fail the workflow task
(seen replaying an incident whose policy snapshot held a number the host process had not parsed
yet). Passing the package through makes it load once, in the host, like any other library.
"""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

PASSED_THROUGH = ("phonenumbers",)


def workflow_runner() -> SandboxedWorkflowRunner:
    """The default sandbox, with the libraries above loaded outside it."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    )
