"""A rejected signal on a workflow's log: counted always, and past the first hundred, sampled."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from escalation.logbook import REJECTIONS_LOGGED, Logbook
    from workflows.patches import REJECTIONS_SAMPLED, patched


def record_rejection(log: Logbook, actor: str, detail: str) -> None:
    """A `rejected` line, as Logbook.record_rejection samples them. The patch is asked only once
    the first hundred are passed: a run recorded before it replays with a line for each."""
    sampled = log.rejections < REJECTIONS_LOGGED or patched(REJECTIONS_SAMPLED)
    log.record_rejection(workflow.now(), actor, detail, sampled=sampled)
