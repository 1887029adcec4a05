"""One parsed policy per policy version in the worker, shared by every incident running under it.

Each incident receives its policy snapshot as an activity result and would keep its own parsed
copy: a cached incident's largest single part. Snapshots carry a hash of the policy's content,
so the first copy seen for a hash is kept here and later incidents point at it. The policy is
immutable and the copies are equal, so which one an incident holds changes nothing it does.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from escalation.contract import PolicySnapshot
    from escalation.policy import Policy

SNAPSHOT_TIMEOUT = timedelta(seconds=30)
KEPT_VERSIONS = 16
"""Policy versions remembered at once; past that the memory starts over (incidents keep theirs)."""

_shared: dict[str, Policy] = {}


def shared_snapshot(snapshot: PolicySnapshot) -> PolicySnapshot:
    """`snapshot` holding the worker's copy of its policy (its own if it is the first)."""
    if snapshot.digest is None:
        return snapshot
    policy = _shared.get(snapshot.digest)
    if policy is None:
        if len(_shared) >= KEPT_VERSIONS:
            _shared.clear()
        _shared[snapshot.digest] = snapshot.policy
        return snapshot
    return snapshot.model_copy(update={"policy": policy})


async def read_policy(summary: str) -> PolicySnapshot:
    """The policy as the worker has it now (an activity: its answer is in history, so replay
    reads the policy the run saw, not today's)."""
    return await workflow.execute_activity(
        "snapshot_policy",
        result_type=PolicySnapshot,
        start_to_close_timeout=SNAPSHOT_TIMEOUT,
        summary=summary,
    )
