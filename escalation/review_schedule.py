"""When a review chases people: a reminder before it is due, management when overdue, and
reminders for overdue action items. Pure, like the incident engine."""

from __future__ import annotations

from datetime import datetime

from escalation import audiences
from escalation.actions import Deadline, Notify, Purpose, Recipient
from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.review import ActionItem, ReviewState

SYSTEM = "review"


def next_review_deadline(policy: Policy, review: ReviewState) -> Deadline | None:
    """The earliest reminder or escalation due, or None once the review is completed."""
    if review.status == "completed":
        return None
    every = policy.reviews.remind_every
    found: list[Deadline] = []
    before_due = review.due_at - every
    if review.last_reminder_at is None and before_due > review.opened_at:
        found.append(Deadline(at=before_due, kind="review_reminder", summary="review due reminder"))
    elif not review.overdue_escalated:
        found.append(Deadline(at=review.due_at, kind="review_overdue", summary="review due"))
    else:
        after = (review.last_reminder_at or review.due_at) + every
        found.append(Deadline(at=after, kind="review_reminder", summary="overdue review reminder"))
    for item in review.open_items():
        if item.due is not None:
            at = item.reminded_at + every if item.reminded_at else item.due
            found.append(
                Deadline(at=at, kind="action_item_reminder", summary=f"action item {item.id} due")
            )
    return min(found, key=lambda deadline: deadline.at)


def advance_review(
    policy: Policy, incident: IncidentState, review: ReviewState, now: datetime
) -> list[Notify]:
    """Send every reminder and escalation due by `now`."""
    actions: list[Notify] = []
    while (deadline := next_review_deadline(policy, review)) is not None and deadline.at <= now:
        if deadline.kind == "action_item_reminder":
            actions += _remind_item_owners(policy, incident, review, now)
        elif deadline.kind == "review_overdue":
            actions += _escalate_overdue(policy, incident, review, now)
        else:
            review.reminders_sent += 1
            review.last_reminder_at = now
            text = f"The post-incident review is due {review.due_at:%Y-%m-%d %H:%M} UTC."
            actions += _remind(
                policy,
                incident,
                review,
                now,
                who=review.owner,
                purpose="review_reminder",
                text=text,
            )
    return actions


def _escalate_overdue(
    policy: Policy, incident: IncidentState, review: ReviewState, now: datetime
) -> list[Notify]:
    review.overdue_escalated = True
    review.reminders_sent += 1
    review.last_reminder_at = now
    text = f"The post-incident review owned by {review.owner} is overdue (was due {review.due_at:%Y-%m-%d %H:%M} UTC)."
    review.record(now, "overdue", SYSTEM, f"{text} Management told.")
    return _tell(
        policy,
        incident,
        review,
        now,
        to=policy.management.contacts,
        purpose="review_overdue",
        text=text,
    ) + _tell(
        policy, incident, review, now, to=[review.owner], purpose="review_reminder", text=text
    )


def _remind_item_owners(
    policy: Policy, incident: IncidentState, review: ReviewState, now: datetime
) -> list[Notify]:
    actions: list[Notify] = []
    for item in _due_items(policy, review, now):
        item.reminded_at = now
        text = (
            f"Action item {item.id} is overdue: {item.title} (due {item.due:%Y-%m-%d %H:%M} UTC)."
        )
        actions += _remind(
            policy, incident, review, now, who=item.owner, purpose="action_item_reminder", text=text
        )
    return actions


def _remind(
    policy: Policy,
    incident: IncidentState,
    review: ReviewState,
    now: datetime,
    *,
    who: str,
    purpose: Purpose,
    text: str,
) -> list[Notify]:
    """A reminder to one person, on the review's timeline as well as in their inbox."""
    review.record(now, "reminder", SYSTEM, f"reminded {who}: {text}")
    return _tell(policy, incident, review, now, to=[who], purpose=purpose, text=text)


def _due_items(policy: Policy, review: ReviewState, now: datetime) -> list[ActionItem]:
    every = policy.reviews.remind_every
    return [
        item
        for item in review.open_items()
        if item.due is not None
        and (item.reminded_at + every if item.reminded_at else item.due) <= now
    ]


def assignment(policy: Policy, incident: IncidentState, review: ReviewState) -> list[Notify]:
    """Tell the owner the review is theirs, and when it is due."""
    text = f"You own the post-incident review, due {review.due_at:%Y-%m-%d %H:%M} UTC."
    return _tell(
        policy,
        incident,
        review,
        review.opened_at,
        to=[review.owner],
        purpose="review_assigned",
        text=text,
    )


def invitations(policy: Policy, incident: IncidentState, review: ReviewState) -> list[Notify]:
    """Consulted (RACI): `stakeholders.consulted` are asked for their input when a review opens.

    They get the complete final report when it completes (see the review workflow).
    """
    consulted = [name for name in policy.stakeholders.consulted if name != review.owner]
    text = (
        f"You are consulted on the post-incident review owned by {review.owner}, due "
        f"{review.due_at:%Y-%m-%d %H:%M} UTC: add action items and feedback to {review.review_id}."
    )
    return _tell(
        policy,
        incident,
        review,
        review.opened_at,
        to=consulted,
        purpose="review_invitation",
        text=text,
    )


def _tell(
    policy: Policy,
    incident: IncidentState,
    review: ReviewState,
    now: datetime,
    *,
    to: list[str],
    purpose: Purpose,
    text: str,
) -> list[Notify]:
    """Email the named contacts; a name that is not a policy contact cannot be reached, and
    that is recorded as a skipped message rather than dropped."""
    for name in to:
        if name not in policy.contacts:
            review.skip(
                now,
                SYSTEM,
                purpose=purpose,
                recipient=name,
                channel="email",
                why="not a contact in the policy, so there is no address to send to",
            )
    recipients = [
        Recipient(
            name=policy.contact(name).name or name, contact=policy.contact(name), channels=["email"]
        )
        for name in to
        if name in policy.contacts
    ]
    return audiences.notify(
        purpose, recipients, audiences.facts(policy, incident, text), audience="responders"
    )
