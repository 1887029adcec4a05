"""The schedule workflow's hand-off notices: plan the next hand-off, sleep, tell the incoming person.

An activity plans each hand-off from the roster (calendars, overrides) and the policy as it is then,
so replay reads the plan back and a changed policy takes effect at the next hand-off. The notice
goes out like a page: per channel, with fallback, through the contact's throttle.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from escalation.actions import Notify
    from escalation.engine import SYSTEM
    from escalation.handoff_notices import (
        HANDOFF_HORIZON,
        HANDOFF_SIGNAL,
        HandoffPlan,
        ScheduleLog,
        handoff_notice,
    )
    from escalation.on_call_models import OnCallQuestion
    from workflows.notifications import deliver
    from workflows.patches import HANDOFF_NOTICES, patched
    from workflows.shared_policies import read_policy
    from workflows.throttle_answers import HearsThrottleAnswers

HANDOFF_LOG_QUERY = "handoff_log"


class SendsHandoffNotices(HearsThrottleAnswers):
    """The notices side of OnCallScheduleWorkflow, which provides `_schedule` and `_changed`."""

    _schedule: str
    _changed: bool

    def _start_notices(self, wanted: bool) -> None:
        self._handoffs = wanted
        self._plan: HandoffPlan | None = None
        self._notice: Notify | None = None
        self._plan_made_at: datetime | None = None
        self._handoff_log = ScheduleLog(schedule_id=workflow.info().workflow_id)

    @workflow.signal(
        name=HANDOFF_SIGNAL,
        description="Plan hand-offs and notify the incoming person, if the policy's schedule "
        "says `notify_handoffs: true`. Sent by the worker at start-up; takes no argument.",
    )
    def notify_handoffs(self, payload: Any = None) -> None:
        """Permissive: any argument is ignored; asking twice changes nothing."""
        if not self._handoffs:
            self._handoffs = True
            self._changed = True

    @workflow.query(name=HANDOFF_LOG_QUERY, description="The hand-off notices sent, and when.")
    def handoff_log(self) -> ScheduleLog:
        return self._handoff_log

    def throttle_answer_log(self) -> ScheduleLog:
        return self._handoff_log

    def _notices_wanted(self) -> bool:
        """Asked only once notices were asked for, so runs that never were record no marker."""
        return self._handoffs and patched(HANDOFF_NOTICES)

    async def _plan_handoff(self) -> None:
        """The next hand-off and its notice, from the policy and the roster as they are now."""
        snapshot = await read_policy("read the schedule for the next hand-off")
        policy, now = snapshot.policy, workflow.now()
        self._plan_made_at = now
        schedule = policy.schedules.get(self._schedule)
        if schedule is None:  # no longer in the policy: look again after the horizon
            self._plan = HandoffPlan(schedule=self._schedule, notify=False)
            self._notice = None
            return
        question = OnCallQuestion(
            schedule_name=self._schedule,
            schedule=schedule,
            contacts=dict(policy.contacts),
            at=now,
        )
        self._plan = await workflow.execute_activity(
            "next_handoff",
            question,
            result_type=HandoffPlan,
            start_to_close_timeout=timedelta(minutes=2),
            summary=f"plan the next hand-off of {self._schedule}",
        )
        self._notice = handoff_notice(policy, self._plan, workflow.info().workflow_id)

    def _handoff_due_at(self) -> datetime | None:
        """When to wake for the plan: its hand-off, or to look again past the horizon."""
        if self._plan is None or self._plan_made_at is None:
            return None
        return self._plan.at or self._plan_made_at + HANDOFF_HORIZON

    async def _after_wait(self, changed: bool) -> None:
        """At the hand-off, send the notice and plan anew; a changed roster plans anew too."""
        due = self._handoff_due_at()
        if due is not None and workflow.now() >= due:
            notice, self._plan, self._notice = self._notice, None, None
            if notice is not None:
                await self._send(notice)
        elif changed:
            self._plan = None

    async def _send(self, notice: Notify) -> None:
        log = self._handoff_log
        (recipient,) = notice.recipients
        log.record(
            workflow.now(), "handoff_notice", SYSTEM, f"{recipient.name}: {notice.facts.text}"
        )
        await asyncio.gather(*(deliver(log, notice, r) for r in notice.recipients))
