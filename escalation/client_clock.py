"""One client's SLA clocks on one incident, as the incident's state carries them."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from escalation.calendars import ALWAYS


class ClientWait(BaseModel):
    """A span of waiting on the client (`wait_for_client` to `client_replied`): its resolution
    clock stands still, for at most the contract's `max_pause`."""

    since: datetime
    by: str
    reason: str
    resumes_by: datetime
    """When the clock resumes by itself if nobody says the client replied (`max_pause`)."""
    until: datetime | None = None
    ended_by: str | None = None


class ClientClock(BaseModel):
    """One client's clocks on one incident: due times and which were breached."""

    client: str
    contract: str | None = None
    calendar: str = ALWAYS
    started_at: datetime
    ack_within: timedelta
    resolve_within: timedelta
    ack_due: datetime
    resolve_due: datetime
    ack_breached: bool = False
    resolve_breached: bool = False
    waiting: ClientWait | None = None
    """Waiting on the client now: the resolution clock is paused until it replies."""
    pauses: list[ClientWait] = []
    """Waits that ended: no business time passed during them."""
    last_told_at: datetime | None = None
    """When the client last heard about the incident: its own update cadence counts from then."""

    def paused_spans(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """Every pause as an interval, the current one up to `now`."""
        spans = [(wait.since, wait.until or now) for wait in self.pauses]
        if self.waiting is not None:
            spans.append((self.waiting.since, max(now, self.waiting.since)))
        return spans
