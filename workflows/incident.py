"""IncidentWorkflow: the life of one incident, driving the pure engine with durable timers.

`run()` asks the engine for the next deadline, waits for it or for an operator, hands the event
to the engine and carries out what it decides. Handlers validate, record, and wake the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from escalation import engine
    from escalation.actions import (
        Action,
        AskOnCall,
        BeginReview,
        Deadline,
        Notify,
        SendFinalReport,
    )
    from escalation.contract import (
        INCIDENT_WORKFLOW,
        REVIEW_WORKFLOW,
        IncidentStart,
    )
    from escalation.incident import IncidentState
    from escalation.on_call_paging import page_on_call
    from escalation.policy import Policy
    from escalation.review import INCIDENT_RESOLVED_SIGNAL, ReviewStart, review_workflow_id
    from workflows import presentation
    from workflows.archiving import INCIDENT_ARCHIVING, Archivist
    from workflows.background import BackgroundWork
    from workflows.client_contracts import breach_published, start_client_clocks
    from workflows.delivery_limits import URGENT_AUDIENCES
    from workflows.final_report import send_final_report
    from workflows.history_handover import HandsOver
    from workflows.incident_verbs import ReceivesVerbs
    from workflows.link_actions import link_action_update
    from workflows.metrics import IncidentMetrics
    from workflows.notifications import deliver
    from workflows.on_call_paging import ask_who_is_on_call, pages_schedules
    from workflows.patches import (
        BREACHED_ATTRIBUTE,
        CLOSING_MESSAGES_SENT,
        NAMED_PEOPLE_CHECKED,
        REVIEW_ID_PER_RUN,
        patched,
    )
    from workflows.receipts import receipt_signal
    from workflows.search_attributes import incident_search_attributes
    from workflows.shared_policies import read_policy, shared_snapshot
    from workflows.slack_story import slack_story
    from workflows.throttle_answers import HearsThrottleAnswers


@workflow.defn(name=INCIDENT_WORKFLOW)
class IncidentWorkflow(HearsThrottleAnswers, ReceivesVerbs, HandsOver):
    """One incident from report to close."""

    @workflow.init
    def __init__(self, start: IncidentStart) -> None:
        self._start = start
        carried = start.carried
        self._snapshot = shared_snapshot(carried.policy) if carried else None
        self._state: IncidentState | None = carried.state if carried else None
        self._early: list[tuple[str, Any]] = []
        self._actions: list[Action] = list(carried.actions) if carried else []
        self._pages: dict[asyncio.Task[None], None] = {}
        """Pages in flight, in the order they started (a dict: a set would iterate in memory
        order, and the commands cancelling them would come out in another order on replay)."""
        self._work = BackgroundWork()
        self._archive = Archivist(self._work, INCIDENT_ARCHIVING)
        self._timer: tuple[datetime, asyncio.Task[None]] | None = None
        self._wake = False
        self._published: tuple[Any, ...] = ()
        self._history_limit: int | None = None
        self._metrics = IncidentMetrics(self._state)
        self._handing_over = False
        """Past the history bound (new runs): the clock keeps running while deliveries drain;
        only urgent messages start, the rest wait for the next run."""

    @property
    def _policy(self) -> Policy:
        assert self._snapshot is not None
        return self._snapshot.policy

    @workflow.run
    async def run(self, start: IncidentStart) -> IncidentState:
        """Open (or resume) the incident and keep it moving until it closes."""
        state = self._state or await self._open(start)
        story = slack_story(
            self._snapshot, state, lambda: self._handing_over or self._history_is_long()
        )
        if story is not None:  # pauses while the run hands over; the next run resumes it
            self._track(story, is_page=False)
        while state.status != "closed":
            self._actions += engine.advance(self._policy, state, workflow.now())
            self._carry_out()
            deadline = engine.next_deadline(self._policy, state)
            self._metrics.observe(self._policy, state, deadline)
            self._publish(deadline)
            self._archive.observe(state)
            self._decide_history_limit()
            if self._history_is_long() and not self._hand_over_keeping_the_clock():
                await self._continue_as_new()
            if self._handing_over and self._drained():
                self._continue_as_new_now()
            self._arm_timer(deadline)
            await workflow.wait_condition(
                lambda: self._wake or self._work.failure is not None or self._ready_to_hand_over()
            )
            self._work.raise_failure()
            self._wake = False
        if self._handing_over:  # closed meanwhile: what waited for the next run goes now
            self._handing_over = False
            self._carry_out()
        elif self._actions and patched(CLOSING_MESSAGES_SENT):
            self._carry_out()  # a resolve that closed at once: its messages and final report
        self._publish(None)
        await self._work.drain()
        await self._archive.final(state)
        self._metrics.observe(self._policy, state, None)
        return state

    async def _open(self, start: IncidentStart) -> IncidentState:
        self._snapshot = shared_snapshot(await read_policy("snapshot the escalation policy"))
        info = workflow.info()
        state, actions = engine.open_incident(
            self._policy,
            incident_id=info.workflow_id,
            key=start.key,
            alert=start.alert,
            now=workflow.now(),
            pages_schedules=pages_schedules(self._policy),
        )
        if self._snapshot.warning:
            state.record(workflow.now(), "warning", engine.SYSTEM, self._snapshot.warning)
        state.named_people_checked = patched(NAMED_PEOPLE_CHECKED)
        start_client_clocks(self._policy, state, workflow.now())
        self._state, self._actions = state, actions
        for verb, payload in self._early:
            self._accept_signal(verb, payload)
        self._early.clear()
        self.heard_throttle_answers.record_rejections()
        return state

    def _carry_out(self) -> None:
        """Start every decided action; deliveries run concurrently with the escalation clock.

        While handing over, only pages and management escalations start (each gives up within
        URGENT_DELIVERY_DEADLINE, so the drain ends); the rest are carried to the next run, in
        order, so a client update retrying for an hour cannot hold the handover (or the clock)."""
        actions, self._actions = self._actions, []
        if self._handing_over:
            self._actions = [a for a in actions if not _urgent(a)]
            actions = [a for a in actions if _urgent(a)]
        for action in actions:
            if isinstance(action, Notify):
                for recipient in action.recipients:
                    page = deliver(self.state, action, recipient)
                    self._track(page, is_page=action.stops_on_ack)
            elif isinstance(action, SendFinalReport):
                report = send_final_report(
                    self.state,
                    policy=self._policy,
                    incident=self.state.model_copy(deep=True),
                    review=None,
                    recipients=action.recipients,
                    audience=action.audience,
                )
                self._track(report, is_page=False)
            elif isinstance(action, BeginReview):
                self._track(self._begin_review(action), is_page=False)
            elif isinstance(action, AskOnCall):
                self._track(self._page_on_call(action), is_page=False)

    async def _page_on_call(self, ask: AskOnCall) -> None:
        """Who is on call is read now, by an activity; the engine pages with the answer."""
        answer = await ask_who_is_on_call(self._policy, ask)
        self._actions += page_on_call(self._policy, self.state, ask, answer, workflow.now())
        self._wake = True

    async def _begin_review(self, action: BeginReview) -> None:
        """The review runs as its own workflow (ABANDON), so it outlives this one."""
        state, now = self.state, workflow.now()
        owner = action.owner or self._policy.review_owner(state.service)
        due_at = now + self._policy.severity(state.severity).review_within
        if patched(REVIEW_ID_PER_RUN):
            review_id = review_workflow_id(state.key, workflow.info().first_execution_run_id)
        else:
            review_id = review_workflow_id(state.key)
        state.review_workflow_id = review_id
        state.record(
            now,
            "review_started",
            engine.SYSTEM,
            f"{review_id}: owner {owner}, due {due_at:%Y-%m-%d %H:%M} UTC",
        )
        await workflow.start_child_workflow(
            REVIEW_WORKFLOW,
            ReviewStart(
                incident=state.model_copy(deep=True),
                policy=self._policy,
                owner=owner,
                due_at=due_at,
            ),
            id=review_id,
            parent_close_policy=ParentClosePolicy.ABANDON,
            static_summary=f"Review: {presentation.summary(state.severity, state.service, state.title)}",
        )

    async def _refresh_review(self, review_id: str) -> None:
        """Resolved again after a reopen while the review runs: the review (and the report it
        sends on completion) works from this resolution, not the first one."""
        try:
            await workflow.get_external_workflow_handle(review_id).signal(
                INCIDENT_RESOLVED_SIGNAL, self.state.model_copy(deep=True)
            )
        except FailureError as error:  # the review has just ended: it reported the first one
            detail = f"{review_id} was not told of this resolution: {error}"
            self.state.record(workflow.now(), "warning", engine.SYSTEM, detail)

    def _track(self, work: Coroutine[Any, Any, None], is_page: bool) -> None:
        task = self._work.start(work)
        if is_page:
            self._pages[task] = None
            task.add_done_callback(lambda done: self._pages.pop(done, None))

    def _stop_paging(self) -> None:
        """Pages not yet delivered are called off: nobody is paged after an acknowledgment.

        In the order they started: each cancellation issues commands (a grace timer, an activity
        cancel, a throttle withdrawal), so the order must be the same on every replay."""
        for task in list(self._pages):
            task.cancel()

    def _arm_timer(self, deadline: Deadline | None) -> None:
        """One durable timer for the next deadline, kept while the deadline stays the same."""
        if self._timer and (deadline is None or self._timer[0] != deadline.at):
            self._timer[1].cancel()
            self._timer = None
        if deadline is None or self._timer is not None:
            return
        delay = deadline.at - workflow.now()
        if delay <= timedelta(0):
            self._wake = True
            return
        timer = asyncio.create_task(workflow.sleep(delay, summary=deadline.summary))
        timer.add_done_callback(self._on_timer)
        self._timer = (deadline.at, timer)

    def _on_timer(self, task: asyncio.Task[None]) -> None:
        if self._timer and self._timer[1] is task:
            self._timer = None
        if not task.cancelled():
            self._wake = True

    def _publish(self, deadline: Deadline | None) -> None:
        """Search attributes and the UI's details panel follow every change."""
        state = self.state
        with_breached = patched(BREACHED_ATTRIBUTE)
        breached = with_breached and breach_published(state)
        key = (state.status, state.severity, state.tier, breached)
        if key != self._published:
            workflow.upsert_search_attributes(
                incident_search_attributes(state, with_breached=with_breached, breached=breached)
            )
            self._published = key
        workflow.set_current_details(presentation.current_details(self._policy, state, deadline))

    @property
    def state(self) -> IncidentState:
        """The incident; only None before the policy snapshot returns."""
        assert self._state is not None
        return self._state

    def throttle_answer_log(self) -> IncidentState | None:
        return self._state

    act_by_link = link_action_update()
    delivery_receipt = receipt_signal()

    @workflow.query(
        name="status",
        description="The whole incident: status, tier, SLA clocks, timeline, notifications.",
    )
    def status(self) -> IncidentState | None:
        return self._state


def _urgent(action: Action) -> bool:
    return isinstance(action, AskOnCall) or (
        isinstance(action, Notify) and action.audience in URGENT_AUDIENCES
    )
