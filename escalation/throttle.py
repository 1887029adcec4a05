"""Per-address throttling of SMS and voice: sliding windows, held messages and their bundle.

Pure: the `ContactThrottleWorkflow` (one per channel and phone number, shared by every incident)
keeps a `ThrottleState` and asks `decide` before each message; what it may not send now it holds
and later sends as one bundle. Email is never throttled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from escalation.contacts import Channel
from escalation.contract import TASK_QUEUE
from escalation.durations import format_duration
from escalation.messages import BundledPage, OutboundMessage
from escalation.policy import ThrottleLimit

THROTTLE_WORKFLOW = "ContactThrottleWorkflow"
THROTTLED_CHANNELS: frozenset[Channel] = frozenset({"sms", "voice"})

REQUEST_SIGNAL = "request_slot"
"""Requester -> throttle: a `SlotRequest` (sent by signal-with-start, so it starts the throttle)."""
WITHDRAW_SIGNAL = "withdraw_slot"
"""Requester -> throttle: a `SlotWithdrawal`, a held message no longer wanted (paging stopped)."""
ANSWER_SIGNAL = "throttle_answer"
"""Throttle -> requester: a `SlotAnswer`."""

IDLE_AFTER = timedelta(hours=1)
"""A throttle ends once nothing was asked of it this long and its windows are empty."""
SEEN_KEPT = 500
"""Notification ids remembered so a retried request is not counted twice."""
REJECTIONS_KEPT = 20
"""Malformed signals remembered for the `status` query: enough to see a pattern, never a flood."""


def throttle_workflow_id(channel: Channel, address: str, task_queue: str = TASK_QUEUE) -> str:
    """`throttle-<channel>-<E.164 address>`: one entity per phone and channel, on every host.

    A deployment on another task queue (a test worker, a second environment sharing the
    namespace) gets its own throttles, `throttle-<task queue>-<channel>-<address>`: a throttle
    must run on a queue its requesters' workers poll.
    """
    if task_queue != TASK_QUEUE:
        return f"throttle-{task_queue}-{channel}-{address}"
    return f"throttle-{channel}-{address}"


@dataclass(frozen=True)
class Allowed:
    """Send now."""


@dataclass(frozen=True)
class Deferred:
    """Hold until `until`, when `limit` (the one that holds longest) lets one more through."""

    until: datetime
    limit: ThrottleLimit


def describe(limit: ThrottleLimit) -> str:
    """`5 per 15m`."""
    return f"{limit.limit} per {format_duration(limit.per)}"


def decide(
    window: Sequence[datetime], limits: Sequence[ThrottleLimit], now: datetime
) -> Allowed | Deferred:
    """May one more message go out at `now`, given the send times in `window`?

    A message sent at `t` counts against a limit while `now < t + per`: at exactly `t + per` it has
    left that window. When a limit is full, the slot opens as soon as enough of its oldest sends
    have left it; the latest such moment over all limits is when every limit has room.
    """
    verdict: Allowed | Deferred = Allowed()
    for limit in limits:
        recent = sorted(t for t in window if now < t + limit.per)
        if len(recent) < limit.limit:
            continue
        opens = recent[len(recent) - limit.limit] + limit.per
        if isinstance(verdict, Allowed) or opens > verdict.until:
            verdict = Deferred(until=opens, limit=limit)
    return verdict


def prune(
    window: Sequence[datetime], limits: Sequence[ThrottleLimit], now: datetime
) -> list[datetime]:
    """Send times some limit still counts, oldest first."""
    longest = max((limit.per for limit in limits), default=timedelta(0))
    return sorted(t for t in window if now < t + longest)


class SlotRequest(BaseModel):
    """A workflow asks for a slot for one message; the message is kept if it has to be held."""

    requester: str
    message: OutboundMessage
    requested_at: datetime


class SlotAnswer(BaseModel):
    """What became of a request: `send` now, `held` until a bundle, then `delivered` or `failed`."""

    notification_id: str
    outcome: Literal["send", "held", "delivered", "failed"]
    at: datetime
    reason: str = ""
    held_until: datetime | None = None
    bundle_id: str | None = None
    status: Literal["sent", "outbox"] | None = None
    provider_id: str | None = None
    address_still_usable: bool = True


class SlotWithdrawal(BaseModel):
    """A requester no longer wants a held message (its paging stopped)."""

    notification_id: str


class SignalRejection(BaseModel):
    """A malformed signal the throttle did not act on: when, which signal, and why."""

    at: datetime
    signal: str
    reason: str


class ThrottleState(BaseModel):
    """The durable state of one address's throttle, carried across continue-as-new."""

    channel: Channel
    address: str
    limits: list[ThrottleLimit]
    sent: list[datetime] = []
    held: list[SlotRequest] = []
    seen: list[str] = []
    bundles: int = 0
    last_request_at: datetime | None = None
    rejections: list[SignalRejection] = []
    """The last REJECTIONS_KEPT malformed signals, oldest first (state carried before this field
    existed loads with none)."""

    def reject(self, rejection: SignalRejection) -> None:
        """Remember a malformed signal for the operator; only the latest few are kept."""
        self.rejections = [*self.rejections, rejection][-REJECTIONS_KEPT:]

    def admit(self, request: SlotRequest, now: datetime) -> SlotAnswer | None:
        """Take a request: send now (counted) or hold it; None for a duplicate of a known id."""
        notification_id = request.message.notification_id
        if notification_id in self.seen:
            return None
        self.seen = [*self.seen, notification_id][-SEEN_KEPT:]
        self.last_request_at = now
        self.sent = prune(self.sent, self.limits, now)
        verdict = decide(self.sent, self.limits, now)
        if not self.held and isinstance(verdict, Allowed):
            self.sent.append(now)
            return SlotAnswer(notification_id=notification_id, outcome="send", at=now)
        self.held.append(request)
        until = self.next_bundle_at(now)
        limit = verdict.limit if isinstance(verdict, Deferred) else None
        reason = f"{self.channel} to {self.address}: {describe(limit)} reached" if limit else ""
        return SlotAnswer(
            notification_id=notification_id,
            outcome="held",
            at=now,
            reason=reason or f"{self.channel} to {self.address}: waiting for the next bundle",
            held_until=until,
        )

    def withdraw(self, notification_id: str) -> bool:
        """Drop a held message nobody wants any more; True when it was held.

        The id is remembered, so a request that arrives after its withdrawal (the requester
        stopped waiting for its request to go out) is ignored.
        """
        if notification_id not in self.seen:
            self.seen = [*self.seen, notification_id][-SEEN_KEPT:]
        kept = [r for r in self.held if r.message.notification_id != notification_id]
        dropped = len(kept) != len(self.held)
        self.held = kept
        return dropped

    def next_bundle_at(self, now: datetime) -> datetime:
        """When the held messages may go out (now, if the windows have room)."""
        verdict = decide(self.sent, self.limits, now)
        return verdict.until if isinstance(verdict, Deferred) else now

    def take_bundle(
        self, workflow_id: str, now: datetime
    ) -> tuple[OutboundMessage, list[SlotRequest]] | None:
        """If the windows have room, everything held as one message (counted as one send)."""
        if not self.held or isinstance(decide(self.sent, self.limits, now), Deferred):
            return None
        held, self.held = self.held, []
        self.bundles += 1
        self.sent.append(now)
        return bundle(f"{workflow_id}/b{self.bundles}", held), held

    def idle_until(self) -> datetime | None:
        """When this throttle may end if nothing else arrives: its windows empty and quiet a while."""
        if self.held:
            return None
        longest = max((limit.per for limit in self.limits), default=timedelta(0))
        moments = [t + longest for t in self.sent[-1:]]
        if self.last_request_at is not None:
            moments.append(self.last_request_at + IDLE_AFTER)
        return max(moments, default=None)


def bundle(bundle_id: str, held: Sequence[SlotRequest]) -> OutboundMessage:
    """One message carrying every held one: the oldest's facts, and a summary line for each."""
    first = held[0].message
    return first.model_copy(
        update={
            "notification_id": bundle_id,
            "bundled": [
                BundledPage(
                    incident_id=r.message.facts.incident_id,
                    purpose=r.message.purpose,
                    severity=r.message.facts.severity,
                    service=r.message.facts.service,
                    title=r.message.facts.title,
                )
                for r in held
            ],
        }
    )


class ThrottleStart(BaseModel):
    """The throttle workflow's input: its address, or the state carried by continue-as-new."""

    channel: Channel
    address: str
    carried: ThrottleState | None = None
