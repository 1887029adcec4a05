"""When and how IncidentWorkflow hands over to a new run (continue-as-new) as its history grows,
and the test every long-lived workflow (throttle, schedule, SMS codes) shares."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from escalation.contract import (
        CarriedIncident,
        IncidentStart,
    )
    from workflows.patches import HANDOVER_KEEPS_THE_CLOCK, SHORTER_RUNS, patched

HISTORY_LIMIT = 5_000
"""Continue-as-new past this many events (incidents and contact throttles). The binding limit
is not Temporal's 50,000 events but its 10,000 signals per run (`maximumSignalsPerExecution`,
which the server's continue-as-new suggestion ignores): every signal is an event, and this
leaves room for the flood that arrives while a run hands over."""
OLD_HISTORY_LIMIT = 10_000
HISTORY_BYTES_LIMIT = 8 * 1024 * 1024
"""...or past this size: below the 10 MB at which the server starts warning (50 MB is fatal)."""


def history_past(limit: int) -> bool:
    """The server suggests continuing as new, or this run's history is past `limit` events.
    Also a wait condition, so it only reads."""
    info = workflow.info()
    return info.is_continue_as_new_suggested() or info.get_current_history_length() > limit


class HandsOver:
    """The history bound of IncidentWorkflow and the handover past it. The workflow provides the
    incident (`state`, `_policy`, `_snapshot`, `_start`, `_actions`), its background work
    (`_work`), metrics (`_metrics`) and the flags `_history_limit` and `_handing_over`."""

    def _history_is_long(self) -> bool:
        """Time to hand over. Also a wait condition, so it only reads: the patch is decided by
        `_decide_history_limit` in the main loop, which this wakes once the new bound is passed."""
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > (self._history_limit or HISTORY_LIMIT)
            or info.get_current_history_size() > HISTORY_BYTES_LIMIT
        )

    def _decide_history_limit(self) -> None:
        """Past the new bound, ask the patch once: a run recorded under the old code keeps its
        old bound on replay, and only new runs carry the marker (in the task that hands over)."""
        if (
            self._history_limit is None
            and workflow.info().get_current_history_length() > HISTORY_LIMIT
        ):
            self._history_limit = HISTORY_LIMIT if patched(SHORTER_RUNS) else OLD_HISTORY_LIMIT

    def _hand_over_keeping_the_clock(self) -> bool:
        """Asked once, when the history first passes its bound. Runs recorded before the patch
        stopped their clock while they drained (`_continue_as_new`)."""
        if not self._handing_over and patched(HANDOVER_KEEPS_THE_CLOCK):
            self._handing_over = True
        return self._handing_over

    def _drained(self) -> bool:
        """Every delivery has recorded its outcome and every handler has returned."""
        return self._work.idle and workflow.all_handlers_finished()

    def _ready_to_hand_over(self) -> bool:
        """A wait condition, so it only reads."""
        return self._drained() if self._handing_over else self._history_is_long()

    async def _continue_as_new(self) -> None:
        """The old handover: wait for in-flight deliveries, the escalation clock stopped meanwhile;
        what operators and monitors set in motion is carried over and started by the next run."""
        await self._work.drain()
        self._continue_as_new_now()

    def _continue_as_new_now(self) -> None:
        assert self._snapshot is not None
        self._metrics.observe(self._policy, self.state, None)
        carried = CarriedIncident(policy=self._snapshot, state=self.state, actions=self._actions)
        workflow.continue_as_new(
            IncidentStart(key=self._start.key, alert=self._start.alert, carried=carried)
        )
