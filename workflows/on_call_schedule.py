"""OnCallScheduleWorkflow (`oncall-<schedule>`): the durable holder of one schedule's overrides.

Operators set and remove overrides by update (validated: the caller hears yes or why not); the
page-time activity and `escalation oncall` read them by query. Ended overrides are dropped when
they end; the run continues as new before its history grows long, carrying what still counts.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from escalation.on_call_overrides import (
        OVERRIDES_QUERY,
        REMOVE_EXAMPLE,
        REMOVE_OVERRIDE,
        SCHEDULE_WORKFLOW,
        SET_EXAMPLE,
        SET_OVERRIDE,
        RemoveOverride,
        ScheduleStart,
        SetOverride,
        new_override,
        next_end,
        remove_refusal,
        set_refusal,
        still_current,
    )
    from escalation.schedules import Override
    from workflows.failures import Refusal
    from workflows.handoff_notices import SendsHandoffNotices
    from workflows.history_handover import history_past
    from workflows.shared_policies import read_policy
    from workflows.verb_handlers import refuse

Command = TypeVar("Command", SetOverride, RemoveOverride)

HISTORY_LIMIT = 2_000
"""Continue as new past this many events: each override costs a handful (the update and the
policy read), and a schedule workflow lives for as long as the schedule does."""


@workflow.defn(name=SCHEDULE_WORKFLOW)
class OnCallScheduleWorkflow(SendsHandoffNotices):
    """Holds one schedule's overrides until they end; asked to, tells people about hand-offs."""

    @workflow.init
    def __init__(self, start: ScheduleStart) -> None:
        self._schedule = start.schedule
        self._overrides: list[Override] = list(start.overrides)
        self._changed = False
        self._start_notices(start.handoffs)

    @workflow.run
    async def run(self, start: ScheduleStart) -> None:
        """Drop overrides as they end; hand over to a new run before the history grows long."""
        while True:
            self._overrides = still_current(self._overrides, workflow.now())
            if self._history_is_long() and workflow.all_handlers_finished():
                workflow.continue_as_new(
                    ScheduleStart(
                        schedule=self._schedule, overrides=self._overrides, handoffs=self._handoffs
                    )
                )
            notices = self._notices_wanted()
            if notices and self._plan is None:
                await self._plan_handoff()
            ends = next_end(self._overrides)
            handoff = self._handoff_due_at() if notices else None
            wake = min((m for m in (ends, handoff) if m is not None), default=None)
            timeout = max(wake - workflow.now(), timedelta(seconds=1)) if wake else None
            self._changed = False
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: self._changed or self._history_is_long(),
                    timeout=timeout,
                    timeout_summary="next override ends" if wake == ends else "next hand-off",
                )
            if notices:
                await self._after_wait(self._changed)

    def _history_is_long(self) -> bool:
        return history_past(HISTORY_LIMIT)

    @workflow.update(
        name=SET_OVERRIDE,
        description=f"Someone covers this schedule from `from` to `to`. Example: {SET_EXAMPLE}",
    )
    async def set_override(self, payload: Any = None) -> Override:
        """The person is checked against the policy as it is now (read by an activity)."""
        command = _parse(SetOverride, SET_OVERRIDE, payload)
        snapshot = await read_policy("check the override against the policy")
        now = workflow.now()
        reason = set_refusal(command, self._schedule, now, list(snapshot.policy.contacts))
        if reason:
            raise refuse(SET_OVERRIDE, reason)
        override_id = f"o-{workflow.uuid4().hex[:8]}"
        override = new_override(command, self._schedule, override_id, now, self._overrides)
        self._overrides.append(override)
        self._changed = True
        return override

    @set_override.validator
    def _validate_set(self, payload: Any = None) -> None:
        command = _parse(SetOverride, SET_OVERRIDE, payload, error=Refusal)
        if command.end <= workflow.now():
            raise Refusal(f"{SET_OVERRIDE}: the override ends {command.end.isoformat()}, past")

    @workflow.update(
        name=REMOVE_OVERRIDE,
        description=f"Take an override back. Example: {REMOVE_EXAMPLE}",
    )
    def remove_override(self, payload: Any = None) -> Override:
        command = _parse(RemoveOverride, REMOVE_OVERRIDE, payload)
        reason = remove_refusal(command, self._overrides)
        if reason:
            raise refuse(REMOVE_OVERRIDE, reason)
        removed = next(o for o in self._overrides if o.id == command.id)
        self._overrides = [o for o in self._overrides if o.id != command.id]
        self._changed = True
        return removed

    @remove_override.validator
    def _validate_remove(self, payload: Any = None) -> None:
        command = _parse(RemoveOverride, REMOVE_OVERRIDE, payload, error=Refusal)
        reason = remove_refusal(command, self._overrides)
        if reason:
            raise Refusal(f"{REMOVE_OVERRIDE}: {reason}")

    @workflow.query(
        name=OVERRIDES_QUERY, description="Overrides that have not ended, oldest first."
    )
    def overrides(self) -> list[Override]:
        return list(self._overrides)


def _parse(
    model: type[Command], verb: str, payload: Any, error: type[Exception] | None = None
) -> Command:
    """The command, or the refusal the caller hears (a Refusal in a validator, else a failed
    update that leaves the workflow task alone)."""
    try:
        return model.model_validate(payload)
    except ValidationError as problem:
        reason = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'argument'}: {e['msg']}"
            for e in problem.errors()
        )
        if error is not None:
            raise error(f"{verb}: {reason}") from None
        raise refuse(verb, reason) from None
