"""How IncidentWorkflow hears operators: every verb as a tolerant signal and as a validated update.

Signals never raise (a bad argument or a refused verb is recorded as `rejected`); updates refuse
with the reason, in the validator when they can. Both apply through `escalation.verbs`.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from escalation import verb_refusals, verbs
    from escalation.commands import (
        EXAMPLES,
        ChangeSeverity,
        MalformedCommand,
        Reopen,
        parse_command,
    )
    from escalation.contract import (
        CommandResult,
    )
    from workflows.client_contracts import after_command, waits_refused
    from workflows.failures import Refusal
    from workflows.patches import (
        BREACH_FOLLOWS_SEVERITY,
        REOPEN_FORGETS_REACH,
        REOPEN_RESTARTS_CLIENT_CLOCKS,
        REVIEW_FOLLOWS_RESOLUTION,
        patched,
    )
    from workflows.rejections import record_rejection
    from workflows.search_attributes import is_breached
    from workflows.verb_handlers import operator_verb, refuse


REVIEW_DONE = '{"review_id": "review-<key>-<run>", "by": "alice", "summary": "..."}'


class ReceivesVerbs:
    """The operator contract of IncidentWorkflow. The workflow provides the incident (`state`,
    `_policy`, `_state`, `_early`, `_actions`, `_wake`) and what a verb sets in motion
    (`_stop_paging`, `_track`, `_refresh_review`)."""

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
        reason = verb_refusals.refusal(self._policy, self.state, command)
        if reason := reason or waits_refused(command):
            self._reject(verb, getattr(command, "by", "reporter"), reason)
            return
        self._apply(verb, command)

    def _reject(self, verb: str, actor: str, reason: str) -> None:
        record_rejection(self.state, actor, f"{verb}: {reason}")
        self._wake = True

    def _apply(self, verb: str, command: BaseModel) -> CommandResult:
        state = self.state
        previous, clients = state.status, list(state.clients_affected)
        self._actions += verbs.apply(
            self._policy,
            state,
            command,
            workflow.now(),
            breaches_follow_severity=self._breaches_follow_severity(command),
            reopen_forgets_reach=self._reopen_forgets_reach(command),
            reopen_restarts_client_clocks=self._reopen_restarts_client_clocks(command),
        )
        self._actions += after_command(self._policy, state, command, clients, workflow.now())
        if previous == "triggered" and state.status != "triggered":
            self._stop_paging()
        if (
            state.status == "resolved"
            and state.review_workflow_id
            and state.review_completed_at is None
            and patched(REVIEW_FOLLOWS_RESOLUTION)
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
            return patched(BREACH_FOLLOWS_SEVERITY)
        return True

    def _reopen_forgets_reach(self, command: BaseModel) -> bool:
        """Asked only on a reopen of an incident whose tiers page schedules (only those can find
        nobody on call), so other runs record no marker."""
        if isinstance(command, Reopen) and self.state.pages_schedules:
            return patched(REOPEN_FORGETS_REACH)
        return True

    def _reopen_restarts_client_clocks(self, command: BaseModel) -> bool:
        """Asked only on a reopen of an incident with contracted clients, so other runs record
        no marker."""
        if isinstance(command, Reopen) and self.state.client_clocks:
            return patched(REOPEN_RESTARTS_CLIENT_CLOCKS)
        return True

    def _validate(self, verb: str, payload: Any) -> None:
        """An update's validator: a refusal here never reaches history."""
        try:
            command = parse_command(verb, payload)
        except MalformedCommand as error:
            raise Refusal(f"{verb}: {error}") from None
        if self._state is not None:
            reason = verb_refusals.refusal(self._policy, self._state, command)
            if reason:
                raise Refusal(f"{verb}: {reason}")

    async def _accept_update(self, verb: str, payload: Any) -> CommandResult:
        await workflow.wait_condition(lambda: self._state is not None)
        try:
            command = parse_command(verb, payload)
        except MalformedCommand as error:
            raise refuse(verb, error) from None
        reason = verb_refusals.refusal(self._policy, self.state, command)
        if reason := reason or waits_refused(command):
            raise refuse(verb, reason)
        return self._apply(verb, command)

    # -- the operator contract: each verb as a signal and as an update ----------------------

    acknowledge_signal, acknowledge = operator_verb(
        "acknowledge", "Take ownership; paging stops.", EXAMPLES
    )
    escalate_signal, escalate = operator_verb(
        "escalate", "Page a tier or management now.", EXAMPLES
    )
    add_note_signal, add_note = operator_verb(
        "add_note", "Internal note on the timeline.", EXAMPLES
    )
    post_update_signal, post_update = operator_verb(
        "post_update", "Update sent to affected clients.", EXAMPLES
    )
    change_severity_signal, change_severity = operator_verb(
        "change_severity", "Reclassify; SLAs follow.", EXAMPLES
    )
    resolve_signal, resolve = operator_verb(
        "resolve", "Record cause, fix and prevention.", EXAMPLES
    )
    reopen_signal, reopen = operator_verb("reopen", "Back to triggered; tier 1 is paged.", EXAMPLES)
    start_review_signal, start_review = operator_verb(
        "start_review", "Start the post-incident review.", EXAMPLES
    )
    new_alert_signal, new_alert = operator_verb(
        "new_alert", "Another report of this incident.", EXAMPLES
    )
    wait_for_client_signal, wait_for_client = operator_verb(
        "wait_for_client", "Pause a client's resolution clock until it replies.", EXAMPLES
    )
    client_replied_signal, client_replied = operator_verb(
        "client_replied", "The client answered: its resolution clock runs again.", EXAMPLES
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


def _actor(payload: Any) -> str:
    """Best effort `by` from a payload that failed validation, for the rejection record."""
    if isinstance(payload, dict) and isinstance(payload.get("by"), str) and payload["by"].strip():
        return payload["by"].strip()[:100]
    return "unknown"
