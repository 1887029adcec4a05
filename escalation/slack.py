"""Slack in the domain: what a severity asks of Slack, and what an incident keeps of its channel.

No Slack SDK here: activities talk to Slack; the workflow only carries these facts.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

SLACK_USER_PATTERN = r"^[UW][A-Z0-9]{2,20}$"
SlackUserId = Annotated[
    str, Field(pattern=SLACK_USER_PATTERN, description="Slack member id, such as U0123ABC")
]
PER_INCIDENT = "per_incident"
CHANNEL_NAME_LIMIT = 80
"""Slack's longest channel name."""

TOLD_KINDS: dict[str, str] = {
    "paged": "Paged",
    "escalated": "Escalated",
    "acknowledged": "Acknowledged",
    "sla_breach": "SLA breached",
    "client_update": "Client update sent",
    "resolved": "Resolved",
    "reopened": "Reopened",
    "review_started": "Review started",
    "review_completed": "Review completed",
}
"""Timeline kinds worth a line in the incident's thread, with the word that opens the line."""


class SeveritySlack(BaseModel):
    """`slack:` in a severity: a channel per incident, or a thread per incident in one channel."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str = Field(
        PER_INCIDENT,
        description='"per_incident" opens a channel per incident; "#incidents" threads each '
        "incident in that channel",
    )
    archive_on_close: bool = Field(
        False, description="Archive the incident's channel once the incident closes"
    )

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if value != PER_INCIDENT and not re.fullmatch(r"#[a-z0-9_-]{1,80}", value):
            raise ValueError('expected "per_incident" or a channel name such as "#incidents"')
        return value

    @property
    def per_incident(self) -> bool:
        return self.channel == PER_INCIDENT


def channel_name(key: str, prefix: str = "inc-") -> str:
    """A channel name from the incident key within Slack's rules: lowercase letters, digits,
    `-` and `_`, at most 80 characters."""
    name = re.sub(r"[^a-z0-9_-]+", "-", f"{prefix}{key}".lower()).strip("-")
    return name[:CHANNEL_NAME_LIMIT].rstrip("-") or "incident"


class SlackStatus(BaseModel):
    """What the live status message shows; one `chat.update` per change of these facts."""

    key: str
    title: str
    service: str
    status: str
    severity: str
    tier: int
    owner: str | None = None
    ack_due: datetime
    resolve_due: datetime
    ack_breached: bool = False
    resolve_breached: bool = False
    acknowledged: bool = False
    resolved: bool = False
    clients_affected: list[str] = []


class SlackThread(BaseModel):
    """The incident's place in Slack, carried across continue-as-new."""

    channel_id: str
    status_ts: str
    """The live status message; thread lines reply to it."""
    posted: SlackStatus | None = None
    """The status the message shows now."""
    told: int = 0
    """Timeline entries already considered for thread lines."""
    invited: list[str] = []
    own_channel: bool = False
    """A channel of its own (invitations, archiving), not a thread in a shared channel."""


BUTTONS: dict[str, str] = {
    "incident_acknowledge": "acknowledge",
    "incident_escalate": "escalate",
    "incident_post_update": "post_update",
    "incident_resolve": "resolve",
}
"""Action id of each button on the status message -> the verb it sends. Each button's value is
the incident key."""


class SlackOpening(BaseModel):
    """Activity input: open the incident's channel (or thread) and post its status message."""

    key: str
    where: SeveritySlack
    status: SlackStatus
    members: list[str] = []


class SlackStatusChange(BaseModel):
    """Activity input: show the latest status in place, and invite who joined the response."""

    channel_id: str
    status_ts: str
    status: SlackStatus
    invite: list[str] = []


class SlackLines(BaseModel):
    """Activity input: lines for the incident's thread, in order."""

    channel_id: str
    thread_ts: str
    lines: list[str]


class SlackClosing(BaseModel):
    """Activity input: the closing summary in the thread, then the channel archived if asked."""

    channel_id: str
    thread_ts: str
    summary: str
    archive: bool = False
