"""Verbs taken through a signed email link: the incident accepts each link's token id once.

The HTTP service checks the signature and the expiry (activities/action_links.py); what only the
incident can know is checked here: that the link is for this incident (not an earlier one that
reused its key) and that its token has not acted before.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from escalation.commands import Acknowledge, Actor, Escalate, OperatorCommand, Via
from escalation.incident import IncidentState

ACT_BY_LINK = "act_by_link"
EMAIL_LINK = "email link"
LINK_ESCALATION_REASON = "escalated from the email link"
LINK_TOKENS_KEPT = 1_000
"""Accepted token ids an incident remembers; each one applied a verb, so this is never reached by
people, and it keeps a scripted loop from growing the state without bound."""


class LinkAction(BaseModel):
    """`act_by_link`'s one argument, sent by the HTTP service once the token's signature holds."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    token_id: str = Field(min_length=8, max_length=64, description="The link's own id")
    incident_id: str = Field(min_length=1, max_length=300, description="The incident it names")
    opened_at: datetime = Field(description="When that incident opened")
    verb: Literal["acknowledge", "escalate"]
    by: Actor
    via: Via = EMAIL_LINK


EXAMPLE = (
    '{"token_id": "4f1c...", "incident_id": "incident-...", "opened_at": "2026-12-02T03:00:00Z", '
    '"verb": "acknowledge", "by": "alice"}'
)


def link_refusal(state: IncidentState, action: LinkAction) -> str | None:
    """Why this link cannot act on this incident, or None."""
    if action.incident_id != state.incident_id or action.opened_at != state.opened_at:
        return "this link belongs to another incident"
    if action.token_id in state.link_tokens_used:
        return "this link has already been used"
    if len(state.link_tokens_used) >= LINK_TOKENS_KEPT:
        return "this incident takes no more email link actions; use the CLI or the UI"
    return None


def link_command(action: LinkAction) -> OperatorCommand:
    """The ordinary verb the link stands for, attributed to its contact and the channel."""
    if action.verb == "acknowledge":
        return Acknowledge(by=action.by, via=action.via)
    return Escalate(by=action.by, via=action.via, reason=LINK_ESCALATION_REASON)
