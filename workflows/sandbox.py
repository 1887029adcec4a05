"""The sandbox every worker and replayer runs the workflows in.

`phonenumbers` loads each region's metadata lazily, the first time a number from that region is
parsed. Inside the sandbox that import would touch `threading.Lock` and fail the workflow task
(seen replaying an incident whose policy snapshot held a number the host process had not parsed
yet). Passing the package through makes it load once, in the host, like any other library.

Production workers also pass our own workflow modules through, so they are imported once rather
than again for every workflow run: each new incident, and each incident replayed after it left
the worker's cache. With 1,500 incidents open that took the escalation lag's p99 from 32 s to
0.64 s (docs/benchmarks.md). It gives up the sandbox's checks on that code, so the tests and the
replay tests run strict: a non-deterministic call in workflow code still fails in CI.
"""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

PASSED_THROUGH = ("phonenumbers",)
OWN_WORKFLOW_MODULES = ("workflows",)


def workflow_runner(*, strict: bool = False) -> SandboxedWorkflowRunner:
    """The default sandbox with the libraries above outside it; strict keeps our modules in."""
    modules = PASSED_THROUGH if strict else (*PASSED_THROUGH, *OWN_WORKFLOW_MODULES)
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*modules)
    )
