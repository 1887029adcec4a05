"""Worker settings under test. The defaults are production's (worker/runner.py and the SDK's)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from wiring.temporal import Sandbox
from worker.runner import ACTIVITY_THREADS, SHARED_QUEUE_POLL_RATIO, STICKY_QUEUE_TIMEOUT
from worker.settings import DEFAULT_CACHED_RUNS


class WorkerTuning(BaseModel):
    """The knobs a benchmark worker is built with, passed to its process as JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_cached_workflows: int = Field(
        DEFAULT_CACHED_RUNS, ge=0, description="Workflow cache size (ESCALATION_WORKFLOW_CACHE)"
    )
    max_concurrent_workflow_tasks: int | None = Field(None, ge=1, description="SDK default: 100")
    activity_threads: int = Field(ACTIVITY_THREADS, ge=1, description="Also activity slots")
    workflow_pollers: int = Field(5, ge=1, description="Workflow task pollers (SDK default)")
    activity_pollers: int = Field(5, ge=1, description="Activity task pollers (SDK default)")
    sticky_queue_timeout_s: float = Field(
        STICKY_QUEUE_TIMEOUT.total_seconds(),
        gt=0,
        description="sticky_queue_schedule_to_start_timeout: how long a task waits for the "
        "worker that cached its workflow before any worker may take it (after a crash)",
    )
    shared_queue_poll_ratio: float = Field(
        SHARED_QUEUE_POLL_RATIO,
        gt=0,
        description="nonsticky_to_sticky_poll_ratio: polls of the shared task queue per poll of "
        "the worker's own (sticky) queue; the SDK's default is 0.2",
    )
    gc_pacing: bool = Field(
        True,
        description="ESCALATION_GC_PACING: survivors of full collections frozen, everything "
        "collected at twice the last survivors (worker/collection_pacing.py)",
    )
    sandbox: Sandbox = Field(
        "off",
        description="off: no sandbox (production's default); on: the sandbox, sharing the "
        "modules that define workflows (workflows/, and benchmarks/ for the bare one) instead of "
        "importing them again for every run (ESCALATION_WORKFLOW_SANDBOX=on); strict: the "
        "tests' sandbox (wiring/temporal.py)",
    )

    def describe(self) -> str:
        """One line for the report, naming what differs from production."""
        changed = self.model_dump(exclude_defaults=True)
        if not changed:
            return "production settings (worker/runner.py)"
        listed = ", ".join(f"{name}={value}" for name, value in changed.items())
        return f"production settings except {listed}"


RECOMMENDED = WorkerTuning()
"""What the benchmarks run with unless told otherwise: production's worker (docs/benchmarks.md)."""
