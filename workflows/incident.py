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
    from pydantic import BaseModel

    from escalation import engine, verbs
    from escalation.actions import (
        Action,
        AskOnCall,
        BeginReview,
        Deadline,
        Notify,
        SendFinalReport,
    )
    from escalation.commands import (
        ChangeSeverity,
        MalformedCommand,
        example_argument,
        parse_command,
    )
    from escalation.contract import (
        INCIDENT_WORKFLOW,
        REVIEW_WORKFLOW,
        CarriedIncident,
        CommandResult,
        IncidentStart,
        PolicySnapshot,
    )
    from escalation.incident import IncidentState
    from escalation.on_call_paging import page_on_call
    from escalation.policy import Policy
    from escalation.review import INCIDENT_RESOLVED_SIGNAL, ReviewStart, review_workflow_id
    from workflows import presentation
    from workflows.background import BackgroundWork
    from workflows.failures import Refusal
    from workflows.final_report import send_final_report
    from workflows.metrics import IncidentMetrics
    from workflows.notifications import URGENT_AUDIENCES, deliver
    from workflows.on_call_paging import ask_who_is_on_call, pages_schedules
    from workflows.search_attributes import incident_search_attributes, is_breached
    from workflows.throttle_answers import HearsThrottleAnswers
    from workflows.verb_handlers import operator_verb, refuse

HISTORY_LIMIT = 5_000
"""Continue-as-new past this many events. The binding limit is not Temporal's 50,000 events but
its 10,000 signals per run (`maximumSignalsPerExecution`, which the server's continue-as-new
suggestion ignores): every signal is an event, and this leaves room for the flood that arrives
while a run hands over."""
SHORTER_RUNS = "history-limit-5000"
"""Patch id (2026-11-22): runs used to continue as new past 10,000 events, which let a flood of
alerts reach the server's signal limit first. Runs that passed 5,000 events under the old code
keep the old bound."""
OLD_HISTORY_LIMIT = 10_000
BREACHED_ATTRIBUTE = "incident-breached-search-attribute"
"""Patch id (2026-11-22): incidents also publish `IncidentBreached`, an upsert more on a breach."""
NAMED_PEOPLE_CHECKED = "start-review-owner-is-a-contact"
"""Patch id (2026-12-02): `start_review` refuses an owner who is not a policy contact (a refused
signal issues no review). Decided once when the incident opens and kept in its state."""
HISTORY_BYTES_LIMIT = 8 * 1024 * 1024
"""...or past this size: below the 10 MB at which the server starts warning (50 MB is fatal)."""
BREACH_FOLLOWS_SEVERITY = "breach-flag-follows-severity"
"""Patch id (2026-12-02): a severity change kept the breach flags of the former severity, so
`IncidentBreached` and the SLA clock claimed a breach of an SLA that no longer applied. Now the
flags follow the new severity (`verbs.follow_severity`): lifting one re-arms the SLA deadline and
changes the upserted `IncidentBreached`."""
HANDOVER_KEEPS_THE_CLOCK = "handover-keeps-the-clock"
"""Patch id (2026-12-02): the handover used to stop the loop until every delivery in flight
had finished (a client update retries for up to an hour), so the next tier, an SLA breach or a
warning fired that much late in exactly the long, flooded incidents. Now the loop keeps advancing
the engine and arming its timer while the drain runs, and continues as new once drained."""
REVIEW_FOLLOWS_RESOLUTION = "review-follows-last-resolution"
"""Patch id (2026-12-02): a review started on the first resolution kept that snapshot through a
reopen and a second resolution, and its final report told the first cause and fix. Now each later
resolution is signalled to the running review (`incident_resolved`)."""
REVIEW_ID_PER_RUN = "review-id-per-incident-run"
"""Patch id (2026-12-02): reviews were `review-<key>`; an incident reusing the key of a terminated
one whose review still ran could not start its own (the child start failed, and the workflow task
retried forever). Reviews are `review-<key>-<run>` now (see `review_workflow_id`)."""


REVIEW_DONE = '{"review_id": "review-<key>-<run>", "by": "alice", "summary": "..."}'


def _describe(verb: str, what: str) -> str:
    return f"{what} Example: {example_argument(verb)}"


@workflow.defn(name=INCIDENT_WORKFLOW)
class IncidentWorkflow(HearsThrottleAnswers):
    """One incident from report to close."""

    @workflow.init
    def __init__(self, start: IncidentStart) -> None:
        self._start = start
        carried = start.carried
        self._snapshot: PolicySnapshot | None = carried.policy if carried else None
        self._state: IncidentState | None = carried.state if carried else None
        self._early: list[tuple[str, Any]] = []
        self._actions: list[Action] = list(carried.actions) if carried else []
        self._pages: dict[asyncio.Task[None], None] = {}
        """Pages in flight, in the order they started (a dict: a set would iterate in memory
        order, and the commands cancelling them would come out in another order on replay)."""
        self._work = BackgroundWork()
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
        while state.status != "closed":
            self._actions += engine.advance(self._policy, state, workflow.now())
            self._carry_out()
            deadline = engine.next_deadline(self._policy, state)
            self._metrics.observe(self._policy, state, deadline)
            self._publish(deadline)
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
        self._publish(None)
        await self._work.drain()
        self._metrics.observe(self._policy, state, None)
        return state

    async def _open(self, start: IncidentStart) -> IncidentState:
        self._snapshot = await workflow.execute_activity(
            "snapshot_policy",
            result_type=PolicySnapshot,
            start_to_close_timeout=timedelta(seconds=30),
            summary="snapshot the escalation policy",
        )
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
        state.named_people_checked = workflow.patched(NAMED_PEOPLE_CHECKED)
        self._state, self._actions = state, actions
        for verb, payload in self._early:
            self._accept_signal(verb, payload)
        self._early.clear()
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
        if workflow.patched(REVIEW_ID_PER_RUN):
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
        with_breached = workflow.patched(BREACHED_ATTRIBUTE)
        key = (state.status, state.severity, state.tier, with_breached and is_breached(state))
        if key != self._published:
            workflow.upsert_search_attributes(
                incident_search_attributes(state, with_breached=with_breached)
            )
            self._published = key
        workflow.set_current_details(presentation.current_details(self._policy, state, deadline))

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
            self._history_limit = (
                HISTORY_LIMIT if workflow.patched(SHORTER_RUNS) else OLD_HISTORY_LIMIT
            )

    def _hand_over_keeping_the_clock(self) -> bool:
        """Asked once, when the history first passes its bound. Runs recorded before the patch
        stopped their clock while they drained (`_continue_as_new`)."""
        if not self._handing_over and workflow.patched(HANDOVER_KEEPS_THE_CLOCK):
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

    @property
    def state(self) -> IncidentState:
        """The incident; only None before the policy snapshot returns."""
        assert self._state is not None
        return self._state

    # -- receiving operator verbs -------------------------------------------------------------

    def _accept_signal(self, verb: str, payload: Any) -> None:
        """Signals never raise: a bad argument or a refused verb is recorded as rejected."""
        if self._state is None:
            self._early.append((verb, payload))
            return
        try:
            command = parse_command(verb, payload)
        except MalformedCommand as error:
            self._reject(verb, _actor(payload), str(error))
            return
        reason = verbs.refusal(self._policy, self.state, command)
        if reason:
            self._reject(verb, getattr(command, "by", "reporter"), reason)
            return
        self._apply(verb, command)

    def _reject(self, verb: str, actor: str, reason: str) -> None:
        self.state.record(workflow.now(), "rejected", actor, f"{verb}: {reason}")
        self._wake = True

    def _apply(self, verb: str, command: BaseModel) -> CommandResult:
        state = self.state
        previous = state.status
        self._actions += verbs.apply(
            self._policy,
            state,
            command,
            workflow.now(),
            breaches_follow_severity=self._breaches_follow_severity(command),
        )
        if previous == "triggered" and state.status != "triggered":
            self._stop_paging()
        if (
            state.status == "resolved"
            and state.review_workflow_id
            and state.review_completed_at is None
            and workflow.patched(REVIEW_FOLLOWS_RESOLUTION)
        ):
            self._track(self._refresh_review(state.review_workflow_id), is_page=False)
        self._wake = True
        return CommandResult(
            verb=verb,
            message=state.timeline[-1].detail if state.timeline else verb,
            incident_id=state.incident_id,
            status=state.status,
            severity=state.severity,
            tier=state.tier,
        )

    def _breaches_follow_severity(self, command: BaseModel) -> bool:
        """Asked only where the answer matters (a severity change while breached), so runs that
        never meet one record no marker."""
        if isinstance(command, ChangeSeverity) and is_breached(self.state):
            return workflow.patched(BREACH_FOLLOWS_SEVERITY)
        return True

    def _validate(self, verb: str, payload: Any) -> None:
        """An update's validator: a refusal here never reaches history."""
        try:
            command = parse_command(verb, payload)
        except MalformedCommand as error:
            raise Refusal(f"{verb}: {error}") from None
        if self._state is not None:
            reason = verbs.refusal(self._policy, self._state, command)
            if reason:
                raise Refusal(f"{verb}: {reason}")

    async def _accept_update(self, verb: str, payload: Any) -> CommandResult:
        await workflow.wait_condition(lambda: self._state is not None)
        try:
            command = parse_command(verb, payload)
        except MalformedCommand as error:
            raise refuse(verb, error) from None
        reason = verbs.refusal(self._policy, self.state, command)
        if reason:
            raise refuse(verb, reason)
        return self._apply(verb, command)

    # -- the operator contract: each verb as a signal and as an update ----------------------

    acknowledge_signal, acknowledge = operator_verb(
        "acknowledge", _describe("acknowledge", "Take ownership; paging stops.")
    )
    escalate_signal, escalate = operator_verb(
        "escalate", _describe("escalate", "Page a tier or management now.")
    )
    add_note_signal, add_note = operator_verb(
        "add_note", _describe("add_note", "Internal note on the timeline.")
    )
    post_update_signal, post_update = operator_verb(
        "post_update", _describe("post_update", "Update sent to affected clients.")
    )
    change_severity_signal, change_severity = operator_verb(
        "change_severity", _describe("change_severity", "Reclassify; SLAs follow.")
    )
    resolve_signal, resolve = operator_verb(
        "resolve", _describe("resolve", "Record cause, fix and prevention.")
    )
    reopen_signal, reopen = operator_verb(
        "reopen", _describe("reopen", "Back to triggered; tier 1 is paged.")
    )
    start_review_signal, start_review = operator_verb(
        "start_review", _describe("start_review", "Start the post-incident review.")
    )
    new_alert_signal, new_alert = operator_verb(
        "new_alert", _describe("new_alert", "Another report of this incident.")
    )

    @workflow.signal(
        name="review_completed",
        description=f"Sent by the review workflow when it completes. Example: {REVIEW_DONE}",
    )
    def review_completed(self, payload: Any = None) -> None:
        """Close the resolved incident once its own review says it is done; never raises.

        The review names itself, so a stray signal (a typo in the UI, another incident's review)
        cannot skip the review: it is recorded as rejected instead.
        """
        if self._state is None:
            return  # no review can exist before the incident has opened
        if not isinstance(payload, dict):
            self._reject(
                "review_completed", "unknown", f"takes one JSON object, e.g. {REVIEW_DONE}"
            )
            return
        expected = self.state.review_workflow_id
        if expected is None or payload.get("review_id") != expected:
            self._reject(
                "review_completed",
                _actor(payload),
                f"not from this incident's review ({expected or 'none started'})",
            )
            return
        by, summary = str(payload.get("by") or "review"), str(payload.get("summary") or "")
        verbs.review_finished(self.state, workflow.now(), by[:100], summary[:10_000])
        self._wake = True

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


def _actor(payload: Any) -> str:
    """Best effort `by` from a payload that failed validation, for the rejection record."""
    if isinstance(payload, dict) and isinstance(payload.get("by"), str) and payload["by"].strip():
        return payload["by"].strip()[:100]
    return "unknown"
