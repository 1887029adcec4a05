"""The record every workflow keeps: a timeline of what happened and every message sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer

from escalation.contacts import Channel

SlaClock = Literal["acknowledge", "resolve"]


class TimelineEntry(BaseModel):
    """One line of the log: `detail` is the sentence for people; the optional facts beside it are
    for code (the report, statistics, the archive), so nothing has to parse the sentence.

    Entries recorded before the facts existed (old histories, carried state) load with None.
    """

    at: datetime
    kind: str
    actor: str
    detail: str
    via: str | None = None
    """The channel an operator's verb came through, when it was not the CLI, UI or API."""
    tier: str | None = None
    """Paged, consulted, escalated: the tier's name (`Tier 2 specialists`) or `management`."""
    recipients: list[str] | None = None
    """Paged, consulted, escalated: the contacts engaged."""
    reason: str | None = None
    """Paged, consulted, escalated: why."""
    clock: SlaClock | None = None
    """SLA breaches and warnings: which clock."""
    severity: str | None = None
    """Classified, severity changed (the new one), SLA breaches (the one in force)."""
    channel: Channel | None = None
    """Skipped messages and fallbacks: the channel that did not carry the message."""
    recipient: str | None = None
    """Skipped messages and fallbacks: who the message was for."""

    @model_serializer(mode="wrap")
    def _absent_facts_left_out(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Facts an entry does not carry are not written: the log's size stays what it was."""
        data = handler(self)
        if isinstance(data, dict):
            for name in FACTS:
                if data.get(name) is None:
                    data.pop(name, None)
        return data

    @property
    def attribution(self) -> str:
        """Who acted, and how when known: `alice via SMS reply`."""
        return f"{self.actor} via {self.via}" if self.via else self.actor


FACTS = ("tier", "recipients", "reason", "clock", "severity", "channel", "recipient")


class NotificationRecord(BaseModel):
    """One message to one address on one channel, and what became of it."""

    at: datetime
    channel: Channel
    to: str
    purpose: str
    status: Literal["sent", "outbox", "failed", "skipped", "cancelled", "throttled"]
    recipient: str = ""
    notification_id: str = ""
    provider_id: str | None = None
    error: str | None = None
    held_until: datetime | None = None
    """For `throttled`: when the per-address throttle expects to send the bundle carrying it."""
    bundle_id: str | None = None
    """Set when the message went out (or failed) inside a throttle's bundle: that bundle's id."""
    delivery: str | None = None
    """What the provider reported later (a delivery receipt): delivered, bounced, undelivered..."""
    delivery_error: str | None = None
    """The provider's error code and reason with that report, when it gave any."""


LOG_BUDGET = 1_000_000
"""Characters of log a workflow keeps room for. Its whole state crosses continue-as-new as one
payload, and Temporal refuses payloads over 2 MB; past this, operator text is refused."""
ENTRY_SIZE = 150
"""Characters an entry or record costs on top of its text, as JSON (time, kind, actor, keys)."""
RECORD_SIZE = 300
REJECTIONS_LOGGED = 100
"""Anyone who can signal a workflow can send it malformed signals without end, and each line
crosses continue-as-new in the carried state: 16,000 of them outgrew Temporal's 2 MB payload
limit at the handover and wedged the incident. The first hundred each get a line, then every
hundredth, naming those it stands for; all are counted in `rejections`."""


class Logbook(BaseModel):
    """Timeline and notifications, with ids for messages stable across activity retries."""

    timeline: list[TimelineEntry] = []
    notifications: list[NotificationRecord] = []
    notification_sequence: int = 0
    timeline_chars: int = 0
    """Characters of timeline text so far, kept as entries are recorded (the log's size in O(1))."""
    rejections: int = 0
    """Signals rejected so far, with a line of their own or not (REJECTIONS_LOGGED). Counted
    since the field exists: a run carried over from older code starts from 0."""
    budget: ClassVar[int] = LOG_BUDGET
    """Characters of log this kind of record keeps room for (`room_for`)."""

    @property
    def logbook_id(self) -> str:
        """The workflow id the log belongs to; prefixes notification ids."""
        raise NotImplementedError

    def record(self, at: datetime, kind: str, actor: str, detail: str, **facts: Any) -> None:
        """Append a line to the timeline, with the facts it states (TimelineEntry's fields)."""
        self.timeline.append(TimelineEntry(at=at, kind=kind, actor=actor, detail=detail, **facts))
        self.timeline_chars += len(detail) + len(actor)

    def skip(
        self, at: datetime, actor: str, *, purpose: str, recipient: str, channel: Channel, why: str
    ) -> None:
        """A message decided on that cannot go out: recorded as `skipped` with the reason, in
        `notifications` and on the timeline, so no decided message vanishes silently."""
        self.notifications.append(
            NotificationRecord(
                at=at,
                channel=channel,
                to="",
                purpose=purpose,
                status="skipped",
                recipient=recipient,
                error=why,
            )
        )
        detail = f"{purpose} to {recipient} not sent: {why}"
        self.record(at, "message_skipped", actor, detail, channel=channel, recipient=recipient)

    def record_rejection(self, at: datetime, actor: str, detail: str, *, sampled: bool) -> None:
        """Count a rejected signal and give it a `rejected` line, or past the first hundred only
        every hundredth one (`sampled`; runs recorded before sampling replay with every line)."""
        self.rejections += 1
        line = rejection_line(self.rejections, detail) if sampled else detail
        if line is not None:
            self.record(at, "rejected", actor, line)

    def room_for(self, text: str) -> bool:
        """Whether the log can take this much more operator text and stay within its budget."""
        return self.size() + len(text) + ENTRY_SIZE <= self.budget

    def size(self) -> int:
        """About how many characters the log takes as JSON, without walking its text."""
        return (
            self.timeline_chars
            + ENTRY_SIZE * len(self.timeline)
            + RECORD_SIZE * len(self.notifications)
        )

    def next_notification_id(self) -> str:
        """A stable id per message, so a retried delivery can be recognised."""
        self.notification_sequence += 1
        return f"{self.logbook_id}/n{self.notification_sequence}"


def rejection_line(count: int, detail: str) -> str | None:
    """The line of the `count`-th rejection: its detail for the first REJECTIONS_LOGGED, then for
    every hundredth the detail naming the rejections it stands for; None for the others."""
    if count <= REJECTIONS_LOGGED:
        return detail
    if count % REJECTIONS_LOGGED:
        return None
    return f"{detail} (rejection #{count}; #{count - REJECTIONS_LOGGED + 1}-#{count - 1} counted)"
