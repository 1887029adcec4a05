"""One client's SLA clocks on one incident, as the incident's state carries them."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from escalation.calendars import ALWAYS


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
