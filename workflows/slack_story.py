"""The incident's story in Slack: a background task of the incident workflow.

It never pages and nothing waits for it but the workflow's end (and a handover), so a slow or
down Slack delays the channel's story, never a page. Each round shows the latest status with
one `chat.update` (changes that arrive while a call is in flight are coalesced: the latest
wins) and tells the new timeline events worth a line in the thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from escalation import engine
    from escalation.contract import PolicySnapshot
    from escalation.incident import IncidentState
    from escalation.messages import OUR_BUG, PERMANENT_FAILURE
    from escalation.slack import (
        SlackClosing,
        SlackLines,
        SlackOpening,
        SlackStatusChange,
        SlackThread,
    )
    from escalation.slack_status import closing_summary, lines_to_tell, slack_members, status_of
    from workflows.patches import SLACK_STORY, patched

SLACK_CALL_DEADLINE = timedelta(minutes=5)
"""How long one Slack call keeps retrying (429s after their Retry-After, outages with backoff)
before the round gives up and the outage is recorded."""
SLACK_PAUSE = timedelta(minutes=1)
"""After a failed round, the wait before trying again with the latest state."""
SLACK_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=[PERMANENT_FAILURE, OUR_BUG],
)


def slack_story(
    snapshot: PolicySnapshot | None, state: IncidentState, stop: Callable[[], bool]
) -> Coroutine[Any, Any, None] | None:
    """The story to run in the background when Slack is set up on the worker that opened the
    incident; else None. It waits, issuing nothing, until the severity asks for Slack (at
    opening, or after a change of severity).

    `stop` is true while the run hands over: the story pauses and the next run resumes it."""
    if snapshot is None or not snapshot.slack or state.status == "closed":
        return None
    if not patched(SLACK_STORY):
        return None
    return SlackStory(snapshot, state, stop).tell()


class SlackStory:
    """Keeps the incident's Slack channel in step with its state."""

    def __init__(
        self, snapshot: PolicySnapshot, state: IncidentState, stop: Callable[[], bool]
    ) -> None:
        self._policy = snapshot.policy
        self._state = state
        self._stop = stop
        """True while the run hands over: the story pauses, the next run resumes it."""
        self._down = False

    async def tell(self) -> None:
        """Rounds until the incident closes (or the run hands over)."""
        state = self._state
        while state.slack is None:
            if not self._asked():  # (no wait when asked: the first call goes out at once)
                await workflow.wait_condition(
                    lambda: self._asked() or self._stop() or state.status == "closed"
                )
            if self._stop() or state.status == "closed":
                return
            if not await self._open():
                await self._pause()
        while True:
            await workflow.wait_condition(lambda: self._behind() or self._stop())
            if state.status == "closed":
                await self._round()
                await self._close()
                return
            if self._stop():
                return
            if not await self._round():
                await self._pause()

    def _asked(self) -> bool:
        """The incident's severity asks for Slack. A wait condition: only reads."""
        return self._policy.severity(self._state.severity).slack is not None

    async def _open(self) -> bool:
        state = self._state
        where = self._policy.severity(state.severity).slack
        if where is None:  # severity lowered to one without Slack before the channel opened
            return True
        opening = SlackOpening(
            key=state.key,
            where=where,
            status=status_of(state),
            members=slack_members(self._policy, state),
        )
        thread = await self._call("slack_open", opening, "open the Slack channel", SlackThread)
        if thread is not None:
            state.slack = thread
        return thread is not None

    def _behind(self) -> bool:
        """What Slack shows is not the incident as it is now. A wait condition: only reads."""
        thread, state = self._state.slack, self._state
        assert thread is not None
        return (
            thread.posted != status_of(state)
            or thread.told < len(state.timeline)
            or state.status == "closed"
        )

    async def _round(self) -> bool:
        """Show the latest status, then tell what happened; False when Slack failed."""
        state = self._state
        thread = state.slack
        assert thread is not None
        status = status_of(state)
        members = slack_members(self._policy, state)
        invite = [member for member in members if member not in thread.invited]
        if status != thread.posted or invite:
            change = SlackStatusChange(
                channel_id=thread.channel_id,
                status_ts=thread.status_ts,
                status=status,
                invite=invite if self._per_incident() else [],
            )
            if not await self._call("slack_update_status", change, "update the status message"):
                return False
            thread.posted, thread.invited = status, thread.invited + invite
        told = len(state.timeline)
        lines = lines_to_tell(state, thread.told)
        if lines:
            batch = SlackLines(
                channel_id=thread.channel_id, thread_ts=thread.status_ts, lines=lines
            )
            if not await self._call("slack_tell", batch, f"{len(lines)} line(s) in the thread"):
                return False
        thread.told = told
        return True

    async def _close(self) -> None:
        """Once: the summary, and the channel archived if the severity asks. A failure is
        recorded and the workflow ends anyway."""
        state, thread = self._state, self._state.slack
        assert thread is not None
        where = self._policy.severity(state.severity).slack
        closing = SlackClosing(
            channel_id=thread.channel_id,
            thread_ts=thread.status_ts,
            summary=closing_summary(state),
            archive=bool(where and where.archive_on_close and self._per_incident()),
        )
        await self._call("slack_close", closing, "close the Slack story")

    def _per_incident(self) -> bool:
        return self._state.slack is not None and self._state.slack.own_channel

    async def _call(
        self, activity: str, argument: object, summary: str, result_type: type | None = None
    ) -> object | None:
        """Run one Slack activity; a failure is recorded once per outage and returns None."""
        try:
            result = await workflow.execute_activity(
                activity,
                argument,
                result_type=result_type,
                start_to_close_timeout=timedelta(minutes=1),
                schedule_to_close_timeout=SLACK_CALL_DEADLINE,
                retry_policy=SLACK_RETRY,
                summary=f"Slack: {summary}",
            )
        except ActivityError as failure:
            self._outage(f"Slack could not {summary}: {failure.cause or failure}")
            return None
        self._answered()
        return result if result_type is not None else True

    def _outage(self, detail: str) -> None:
        """Recorded once per outage, not once per try."""
        if not self._down:
            self._state.record(workflow.now(), "slack_unavailable", engine.SYSTEM, detail[:500])
        self._down = True

    def _answered(self) -> None:
        if self._down:
            self._down = False
            self._state.record(
                workflow.now(), "slack_available", engine.SYSTEM, "Slack answers again"
            )

    async def _pause(self) -> None:
        """Wait before the next try, unless the run hands over or the incident closes first."""
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: self._stop() or self._state.status == "closed", timeout=SLACK_PAUSE
            )
