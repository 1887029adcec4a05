"""PostIncidentReviewWorkflow: owner, due date, durable reminders, action items, feedback.

Started by the incident on resolution with parent close policy ABANDON, so it outlives the
incident workflow; on completion it emails the complete report and tells the incident to close.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from escalation import audiences
    from escalation.actions import Notify
    from escalation.commands import MalformedCommand, describe_validation_error
    from escalation.contract import REVIEW_WORKFLOW
    from escalation.engine import SYSTEM
    from escalation.incident import IncidentState
    from escalation.policy import Policy
    from escalation.review import (
        INCIDENT_RESOLVED_SIGNAL,
        REVIEW_EXAMPLES,
        ReviewStart,
        ReviewState,
        apply_review_command,
        parse_review_command,
        review_log_full,
        review_refusal,
    )
    from escalation.review_schedule import (
        advance_review,
        assignment,
        invitations,
        next_review_deadline,
    )
    from workflows.archiving import REVIEW_ARCHIVING, Archivist
    from workflows.background import BackgroundWork
    from workflows.failures import Refusal
    from workflows.final_report import send_final_report
    from workflows.notifications import deliver
    from workflows.patches import REVIEW_LOG_BUDGET, REVIEW_PEOPLE, patched
    from workflows.rejections import record_rejection
    from workflows.throttle_answers import HearsThrottleAnswers
    from workflows.verb_handlers import operator_verb, refuse


@workflow.defn(name=REVIEW_WORKFLOW)
class PostIncidentReviewWorkflow(HearsThrottleAnswers):
    """One post-incident review, from assignment to completion."""

    @workflow.init
    def __init__(self, start: ReviewStart) -> None:
        self._start = start
        self._review = ReviewState(
            review_id=workflow.info().workflow_id,
            incident_id=start.incident.incident_id,
            owner=start.owner,
            opened_at=workflow.now(),
            due_at=start.due_at,
        )
        self._work = BackgroundWork()
        self._archive = Archivist(self._work, REVIEW_ARCHIVING)
        self._changed = False
        self._people_checked = patched(REVIEW_PEOPLE)
        self._incident = start.incident
        """The incident as last resolved (a reopen and a second resolution replace it)."""

    @workflow.run
    async def run(self, start: ReviewStart) -> ReviewState:
        """Chase the owner until the review is completed, then report and close the incident."""
        review, policy = self._review, start.policy
        review.record(
            workflow.now(),
            "opened",
            "review",
            f"owner {review.owner}, due {review.due_at:%Y-%m-%d %H:%M} UTC",
        )
        self._notify(assignment(policy, self._incident, review))
        if self._people_checked:
            self._notify(invitations(policy, self._incident, review))
        while review.status != "completed":
            self._archive.observe(review)
            deadline = next_review_deadline(policy, review)
            self._changed = False
            timeout = (deadline.at - workflow.now()) if deadline else None
            if timeout is None or timeout > timedelta(0):
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(
                        lambda: self._changed or self._work.failure is not None,
                        timeout=timeout,
                        timeout_summary=deadline.summary if deadline else None,
                    )
            self._work.raise_failure()
            self._notify(advance_review(policy, self._incident, review, workflow.now()))
        await self._report_and_close()
        await self._work.drain()
        await self._archive.final(review)
        return review

    def _notify(self, actions: list[Notify]) -> None:
        for action in actions:
            for recipient in action.recipients:
                self._work.start(deliver(self._review, action, recipient))

    async def _report_and_close(self) -> None:
        """The complete report to stakeholders, the client version to clients; then close the incident."""
        review, policy, incident = self._review, self._start.policy, self._incident
        internal = audiences.stakeholders(policy)
        if self._people_checked:
            internal += audiences.consulted(policy)
        await asyncio.gather(
            send_final_report(
                review,
                policy=policy,
                incident=incident,
                review=review,
                recipients=internal,
                audience="internal",
            ),
            send_final_report(
                review,
                policy=policy,
                incident=incident,
                review=review,
                recipients=audiences.clients(policy, incident),
                audience="client",
            ),
        )
        try:
            await workflow.get_external_workflow_handle(incident.incident_id).signal(
                "review_completed",
                {
                    "review_id": review.review_id,
                    "by": review.completed_by,
                    "summary": review.summary,
                },
            )
        except FailureError as error:
            # Any failure of the signal (the incident gone, terminated, or refusing it), not only
            # an ApplicationError: the reports went out, so the review completes and says why the
            # incident did not close rather than failing its workflow task over and over.
            detail = f"could not tell the incident: {type(error).__name__}: {error.message}"
            review.record(workflow.now(), "warning", "review", detail)

    # -- verbs ----------------------------------------------------------------------------------

    @property
    def _checking_policy(self) -> Policy | None:
        """The policy verbs are checked against for people they name; None on the old path."""
        return self._start.policy if self._people_checked else None

    def _accept_signal(self, verb: str, payload: Any) -> None:
        """Never raises: a bad argument or a refused verb is recorded as rejected."""
        try:
            command = parse_review_command(verb, payload)
        except MalformedCommand as error:
            record_rejection(self._review, "unknown", f"{verb}: {error}")
            return
        reason = review_refusal(self._review, command, self._checking_policy)
        if reason := reason or self._log_full(command):
            record_rejection(self._review, command.by, f"{verb}: {reason}")
            return
        apply_review_command(self._review, command, workflow.now())
        self._changed = True

    def _log_full(self, command: Any) -> str | None:
        """review_log_full, on the runs that have the budget: the patch is asked only when the
        text does not fit, so a run recorded before it takes the text as it did. (A validator
        may not ask a patch, and need not: validators do not run on replay.)"""
        reason = review_log_full(self._review, command)
        return reason if reason and patched(REVIEW_LOG_BUDGET) else None

    def _validate(self, verb: str, payload: Any) -> None:
        try:
            command = parse_review_command(verb, payload)
        except MalformedCommand as error:
            raise Refusal(f"{verb}: {error}") from None
        reason = review_refusal(self._review, command, self._checking_policy)
        if reason := reason or review_log_full(self._review, command):
            raise Refusal(f"{verb}: {reason}")

    async def _accept_update(self, verb: str, payload: Any) -> str:
        try:
            command = parse_review_command(verb, payload)
        except MalformedCommand as error:
            raise refuse(verb, error) from None
        reason = review_refusal(self._review, command, self._checking_policy)
        if reason := reason or self._log_full(command):
            raise refuse(verb, reason)
        detail = apply_review_command(self._review, command, workflow.now())
        self._changed = True
        return detail

    add_action_item_signal, add_action_item = operator_verb(
        "add_action_item", "Track a preventive action.", REVIEW_EXAMPLES
    )
    complete_action_item_signal, complete_action_item = operator_verb(
        "complete_action_item", "Mark an item done.", REVIEW_EXAMPLES
    )
    submit_feedback_signal, submit_feedback = operator_verb(
        "submit_feedback", "Client or internal feedback.", REVIEW_EXAMPLES
    )
    complete_review_signal, complete_review = operator_verb(
        "complete_review", "Close with a summary.", REVIEW_EXAMPLES
    )

    @workflow.signal(
        name=INCIDENT_RESOLVED_SIGNAL,
        description="Sent by the incident when it is resolved again after a reopen: the review "
        "and its final report follow the latest resolution. Payload: the incident's status.",
    )
    def incident_resolved(self, payload: Any = None) -> None:
        """Never raises: anything but this review's incident, resolved, is recorded as rejected."""
        try:
            incident = IncidentState.model_validate(payload)
        except ValidationError as error:
            reason = describe_validation_error(error)
            record_rejection(self._review, "unknown", f"incident_resolved: {reason}")
            return
        if incident.incident_id != self._review.incident_id or incident.resolution is None:
            detail = f"incident_resolved: not a resolution of {self._review.incident_id}"
            record_rejection(self._review, "unknown", detail)
            return
        self._incident = incident
        detail = f"resolved again by {incident.resolved_by}: {incident.resolution.cause}"
        self._review.record(workflow.now(), "incident_resolved", SYSTEM, detail)

    def throttle_answer_log(self) -> ReviewState:
        return self._review

    @workflow.query(
        name="status", description="The review: owner, due date, action items, feedback, timeline."
    )
    def status(self) -> ReviewState:
        return self._review
