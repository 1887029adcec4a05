"""Short side work a workflow does in its own worker: the policy snapshot, who is on call, the
archive write. Run as local activities, each costs one marker in history and no round trip
through the server (no task queue dispatch, no extra workflow task for its result), which is
most of what an incident used to cost beyond its pages.

Pages and reports stay ordinary activities: they may retry for minutes with backoff, and a local
activity that long would hold the workflow task open (and an operator's update behind it).
"""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, TimeoutError

SIDE_WORK_FAILED = (ActivityError, ApplicationError, TimeoutError)
"""What a failed side activity raises: an ordinary one's failure comes wrapped in ActivityError,
a local one's may come as the activity's own error or its timeout."""

LOCAL_SIDE_WORK = "local-side-work"
"""Patch id (2026-12-02): runs begun before it ask for the snapshot, the on-call answer and the
archive writes as ordinary activities; later runs ask locally. Decided once per run."""


def side_work_is_local() -> bool:
    """Asked once when a run starts (the answer must not change within a run)."""
    return workflow.patched(LOCAL_SIDE_WORK)


def run_side_work(
    local: bool,
    activity: str,
    *args: Any,
    result_type: type | None = None,
    start_to_close_timeout: timedelta,
    schedule_to_close_timeout: timedelta | None = None,
    retry_policy: RetryPolicy | None = None,
    summary: str,
) -> Coroutine[Any, Any, Any]:
    """`activity` as a local activity when `local`, else as an ordinary one, same timeouts."""
    execute = workflow.execute_local_activity if local else workflow.execute_activity
    return execute(
        activity,
        args=args,
        result_type=result_type,
        start_to_close_timeout=start_to_close_timeout,
        schedule_to_close_timeout=schedule_to_close_timeout,
        retry_policy=retry_policy,
        summary=summary,
    )
