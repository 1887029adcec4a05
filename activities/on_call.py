"""The page-time answer to "who is on call": calendars read, overrides asked, roster resolved.

An incident asks at the moment of each page of a tier that names a schedule; the answer goes into
its history. A calendar that cannot be read is replaced by its last good copy (and the answer
says how old), so a feed that is down for a while does not empty a layer.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.calendar_feeds import CalendarUnavailable, calendars_of, read_feed
from escalation.durations import format_duration
from escalation.handoff_notices import HANDOFF_HORIZON, HandoffPlan, plan_handoff
from escalation.on_call_models import OnCallAnswer, OnCallQuestion
from escalation.on_call_overrides import OVERRIDES_QUERY, schedule_workflow_id
from escalation.oncall import Roster
from escalation.schedules import Override

CALENDAR_WINDOW = timedelta(days=1)
"""How far around the asked instant calendar events are expanded: an event covering the instant
started within it or is a recurrence the expansion finds anyway."""


@dataclass
class _Copy:
    text: bytes
    read_at: datetime


class OnCallActivities:
    """Remembers each feed's last good copy for the life of the worker."""

    def __init__(self, policy_dir: Path) -> None:
        self.policy_dir = policy_dir
        self._copies: dict[str, _Copy] = {}
        self._lock = threading.Lock()

    @activity.defn(name="who_is_on_call")
    async def who_is_on_call(self, question: OnCallQuestion) -> OnCallAnswer:
        """Who `question.schedule_name` has on call at `question.at`, overrides included."""
        overrides = await schedule_overrides(activity.client(), question.schedule_name)
        warnings: list[str] = []
        window = (question.at - CALENDAR_WINDOW, question.at + CALENDAR_WINDOW)
        calendars = await asyncio.to_thread(self._calendars, question, window, warnings)
        roster = Roster(
            name=question.schedule_name,
            schedule=question.schedule,
            overrides=overrides,
            calendars=calendars,
        )
        who, source = roster.on_call_at(question.at)
        return OnCallAnswer(
            schedule=question.schedule_name, who=who, source=source, warnings=warnings
        )

    @activity.defn(name="next_handoff")
    async def next_handoff(self, question: OnCallQuestion) -> HandoffPlan:
        """The first hand-off of `question.schedule_name` after `question.at`, and who comes in:
        planned here (calendars read, overrides asked) so the workflow's replay reads it back."""
        overrides = await schedule_overrides(activity.client(), question.schedule_name)
        window = (question.at - CALENDAR_WINDOW, question.at + HANDOFF_HORIZON)
        calendars = await asyncio.to_thread(self._calendars, question, window, [])
        roster = Roster(
            name=question.schedule_name,
            schedule=question.schedule,
            overrides=overrides,
            calendars=calendars,
        )
        return plan_handoff(roster, question.at, question.schedule.notify_handoffs)

    def _calendars(
        self, question: OnCallQuestion, window: tuple[datetime, datetime], warnings: list[str]
    ) -> dict:
        start, end = window

        def read(source: str, policy_dir: Path) -> bytes:
            return self._read(source, policy_dir, warnings)

        try:
            return calendars_of(
                question.schedule_name,
                question.schedule,
                question.contacts,
                self.policy_dir,
                start,
                end,
                read,
            ).shifts
        except CalendarUnavailable as error:  # unreadable and no good copy: rotations still answer
            warnings.append(f"{error}; its calendar layers have nobody")
            return {}

    def _read(self, source: str, policy_dir: Path, warnings: list[str]) -> bytes:
        now = datetime.now().astimezone()
        try:
            text = read_feed(source, policy_dir)
            _check_readable(source, text)
        except CalendarUnavailable as error:
            with self._lock:
                copy = self._copies.get(source)
            if copy is None:
                raise
            age = format_duration(max(now - copy.read_at, timedelta(seconds=1)))
            warnings.append(f"{error}; used the last good copy, read {age} ago")
            return copy.text
        with self._lock:
            self._copies[source] = _Copy(text, now)
        return text


def _check_readable(source: str, text: bytes) -> None:
    """A feed that arrives but is not iCalendar must not replace the last good copy."""
    try:
        icalendar.Calendar.from_ical(text)
    except Exception as error:  # icalendar raises ValueError and others on bad input
        raise CalendarUnavailable(f"{source} is not a readable iCalendar feed: {error}") from None


async def schedule_overrides(client: Client, schedule: str) -> list[Override]:
    """The overrides `oncall-<schedule>` holds; none when no override was ever set."""
    handle = client.get_workflow_handle(schedule_workflow_id(schedule))
    try:
        return await handle.query(OVERRIDES_QUERY, result_type=list[Override])
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return []
        raise
