"""The bare workflow: an incident's lifecycle shape with none of its logic.

Two activities (as an incident runs the policy snapshot and the tier-1 page), then it waits for
two updates (as `acknowledge` and `resolve`) and completes. Run side by side with real incidents,
the ratio of their completion rates is the overhead of our code on top of Temporal's own.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from benchmarks.pagelog import Delivery, DeliveryWriter

BARE_WORKFLOW = "BareWorkflow"
BARE_TIER = "bare"
STEPS = 2
"""Activities of one incident lifecycle under the benchmark policy: snapshot and tier-1 page."""


class BareActivities:
    """The bare step; its last run is logged like a page, so the runner acks after it."""

    def __init__(self, log: DeliveryWriter) -> None:
        self.log = log

    @activity.defn(name="bare_step")
    def bare_step(self, step: int) -> int:
        """Nothing but the log line a page would write; a plain `def`, on the same thread pool."""
        if step == STEPS:
            self.log.write(Delivery.in_activity("page", BARE_TIER))
        return step


@workflow.defn(name=BARE_WORKFLOW)
class BareWorkflow:
    """`STEPS` activities in a row, then two updates, then done."""

    def __init__(self) -> None:
        self._updates = 0

    @workflow.run
    async def run(self) -> None:
        for step in range(1, STEPS + 1):
            await workflow.execute_activity(
                "bare_step", step, result_type=int, start_to_close_timeout=timedelta(seconds=30)
            )
        await workflow.wait_condition(lambda: self._updates == 2)

    @workflow.update(name="acknowledge")
    def acknowledge(self, payload: dict[str, str]) -> None:
        self._updates += 1

    @workflow.update(name="resolve")
    def resolve(self, payload: dict[str, str]) -> None:
        self._updates += 1
