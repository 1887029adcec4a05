"""The post-incident review: owner, due date, action items tracked to done, client feedback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from escalation.commands import Actor, MalformedCommand, Text, describe_validation_error
from escalation.incident import IncidentState
from escalation.logbook import Logbook
from escalation.policy import Policy

ReviewStatus = Literal["open", "completed"]

REVIEW_BUDGET = 250_000
"""Characters of text a review keeps room for, a quarter of an incident's LOG_BUDGET: a review is
archived whole at each change and never continues as new, so its history grows with the square
of its size (30 feedbacks of 9,000 characters made a 16 MB history; this budget takes 14 of
them, in 5 MB). Without a budget, 150 feedbacks of 10,000 characters outgrew Temporal's 2 MB
payload limit and wedged the review (and with it the incident, which closes when its review
does)."""


class ActionItem(BaseModel):
    """A preventive action, tracked until someone marks it done."""

    id: str
    title: str
    owner: str
    due: datetime | None = None
    blocking: bool = True
    created_by: str
    created_at: datetime
    done_by: str | None = None
    done_at: datetime | None = None
    reminded_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.done_at is None


class Feedback(BaseModel):
    """What a client or a colleague said about the incident and its handling."""

    by: str
    text: str
    at: datetime


class ReviewStart(BaseModel):
    """The review workflow's input: the incident as resolved, and the rules it runs under."""

    incident: IncidentState
    policy: Policy
    owner: str
    due_at: datetime


class ReviewState(Logbook):
    """The review as `status` shows it and the final report reads it."""

    review_id: str
    incident_id: str
    owner: str
    status: ReviewStatus = "open"
    opened_at: datetime
    due_at: datetime
    overdue_escalated: bool = False
    reminders_sent: int = 0
    last_reminder_at: datetime | None = None
    action_items: list[ActionItem] = []
    feedback: list[Feedback] = []
    summary: str | None = None
    completed_by: str | None = None
    completed_at: datetime | None = None
    budget: ClassVar[int] = REVIEW_BUDGET

    @property
    def logbook_id(self) -> str:
        return self.review_id

    def size(self) -> int:
        """The log's size, plus what the review keeps beside its timeline lines: the feedback's
        text and the action items' titles are in both."""
        kept = sum(len(f.text) for f in self.feedback) + sum(
            len(i.title) for i in self.action_items
        )
        return super().size() + kept

    def open_items(self, *, blocking_only: bool = False) -> list[ActionItem]:
        return [i for i in self.action_items if i.is_open and (i.blocking or not blocking_only)]


def _utc_when_naive(value: datetime | None) -> datetime | None:
    """`2026-12-01T17:00` without an offset is read as UTC, as every time here is shown."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class _ReviewCommand(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    by: Actor


class AddActionItem(_ReviewCommand):
    """A preventive action item with an owner; blocking items must be done before completion."""

    title: Annotated[str, Field(min_length=1, max_length=500, description="What will be done")]
    owner: Annotated[str, Field(min_length=1, max_length=100, description="Who does it")]
    due: Annotated[datetime | None, AfterValidator(_utc_when_naive)] = Field(
        None, description="When it is due (ISO 8601; UTC unless an offset is given), optional"
    )
    blocking: bool = Field(True, description="Must be done before the review can complete")


class CompleteActionItem(_ReviewCommand):
    """Mark an action item done."""

    id: Annotated[str, Field(min_length=1, max_length=20, description="Action item id, e.g. A1")]


class SubmitFeedback(_ReviewCommand):
    """Feedback from a client or a colleague, recorded with who sent it."""

    text: Text = Field(description="The feedback")


class CompleteReview(_ReviewCommand):
    """Close the review with its summary; refused while blocking action items are open."""

    summary: Text = Field(description="What was learned")


REVIEW_VERBS: dict[str, type[_ReviewCommand]] = {
    "add_action_item": AddActionItem,
    "complete_action_item": CompleteActionItem,
    "submit_feedback": SubmitFeedback,
    "complete_review": CompleteReview,
}

REVIEW_EXAMPLES: dict[str, str] = {
    "add_action_item": (
        '{"by": "alice", "title": "alert 14 days before cert expiry", "owner": "bob", '
        '"due": "2026-12-01T17:00:00Z"}'
    ),
    "complete_action_item": '{"by": "bob", "id": "A1"}',
    "submit_feedback": '{"by": "ops@acme.example", "text": "updates were timely"}',
    "complete_review": '{"by": "alice", "summary": "cert rotation is now automated"}',
}


def parse_review_command(verb: str, payload: object) -> _ReviewCommand:
    """Validate a raw JSON argument for a review verb, with a readable reason on failure."""
    if payload is None:
        raise MalformedCommand(f"{verb} takes one JSON object, e.g. {REVIEW_EXAMPLES[verb]}")
    try:
        return REVIEW_VERBS[verb].model_validate(payload)
    except ValidationError as error:
        raise MalformedCommand(describe_validation_error(error)) from None


def review_refusal(
    review: ReviewState, command: _ReviewCommand, policy: Policy | None = None
) -> str | None:
    """Why a review verb cannot apply now, or None.

    With the policy, an action item's owner must be one of its contacts: reminders go to the
    contact's email, and a name nobody can be reached at would be chased in vain.
    """
    if review.status == "completed":
        return f"the review was completed by {review.completed_by}"
    if isinstance(command, AddActionItem) and policy is not None:
        reason = unknown_person(policy, command.owner, "owner")
        if reason:
            return reason
    if isinstance(command, CompleteActionItem):
        item = next((i for i in review.action_items if i.id == command.id), None)
        if item is None:
            known = ", ".join(i.id for i in review.action_items) or "none yet"
            return f"no action item {command.id!r} (action items: {known})"
        if not item.is_open:
            return f"action item {item.id} was already completed by {item.done_by}"
    if isinstance(command, CompleteReview) and (blocking := review.open_items(blocking_only=True)):
        listed = ", ".join(f"{i.id} ({i.title})" for i in blocking)
        return f"blocking action items are still open: {listed}"
    return None


def review_log_full(review: ReviewState, command: _ReviewCommand) -> str | None:
    """Why a verb adding text (an action item, feedback) cannot fit in the review, or None.
    Completing the review always fits: a full log must never keep an incident from closing."""
    if isinstance(command, AddActionItem):
        text = command.title
    elif isinstance(command, SubmitFeedback):
        text = command.text
    else:
        return None
    if review.room_for(text):
        return None
    return (
        f"the review's log is full ({REVIEW_BUDGET:,} characters); "
        "put the rest in a linked document and complete the review"
    )


def apply_review_command(review: ReviewState, command: _ReviewCommand, now: datetime) -> str:
    """Carry out an accepted review verb; returns the line it adds to the review timeline."""
    handler: Callable[[ReviewState, _ReviewCommand, datetime], str] = _EFFECTS[type(command)]
    detail = handler(review, command, now)
    review.record(now, _KINDS[type(command)], command.by, detail)
    return detail


def _add_item(review: ReviewState, command: AddActionItem, now: datetime) -> str:
    item = ActionItem(
        id=f"A{len(review.action_items) + 1}",
        title=command.title,
        owner=command.owner,
        due=command.due,
        blocking=command.blocking,
        created_by=command.by,
        created_at=now,
    )
    review.action_items.append(item)
    return f"{item.id}: {item.title} (owner {item.owner}{', blocking' if item.blocking else ''})"


def _complete_item(review: ReviewState, command: CompleteActionItem, now: datetime) -> str:
    item = next(i for i in review.action_items if i.id == command.id)
    item.done_by, item.done_at = command.by, now
    return f"{item.id} done: {item.title}"


def _feedback(review: ReviewState, command: SubmitFeedback, now: datetime) -> str:
    review.feedback.append(Feedback(by=command.by, text=command.text, at=now))
    return command.text


def _complete(review: ReviewState, command: CompleteReview, now: datetime) -> str:
    review.status = "completed"
    review.summary = command.summary
    review.completed_by, review.completed_at = command.by, now
    return command.summary


_EFFECTS: dict[type, Callable[..., str]] = {
    AddActionItem: _add_item,
    CompleteActionItem: _complete_item,
    SubmitFeedback: _feedback,
    CompleteReview: _complete,
}
_KINDS = {
    AddActionItem: "action_item_added",
    CompleteActionItem: "action_item_done",
    SubmitFeedback: "feedback",
    CompleteReview: "review_completed",
}


def unknown_person(policy: Policy, name: str, role: str) -> str | None:
    """Why `name` cannot be given a role that is emailed, or None when it is a policy contact."""
    if name in policy.contacts:
        return None
    return (
        f"{role} {name!r} is not a contact in the policy, so nobody could be reminded; "
        f"name one of: {', '.join(sorted(policy.contacts))}"
    )


INCIDENT_RESOLVED_SIGNAL = "incident_resolved"
"""Sent by the incident to its running review when it is resolved again after a reopen."""

RUN_CHARACTERS = 8
"""Of the incident's first run id in its review's id: enough to tell two incidents of one key."""


def review_workflow_id(incident_key: str, first_run_id: str | None = None) -> str:
    """`review-<key>-<run>`: the incident's key and the start of its first run id (unchanged by
    continue-as-new), so an incident reusing the key of one whose review still runs (after a
    terminate) gets a review of its own. Without a run id, the old `review-<key>`."""
    if first_run_id is None:
        return f"review-{incident_key}"
    return f"review-{incident_key}-{first_run_id.replace('-', '')[:RUN_CHARACTERS]}"


def default_owner(policy: Policy, state: IncidentState) -> str:
    """The review owner when nobody named one: the service's review owner from the policy."""
    return policy.review_owner(state.service)
