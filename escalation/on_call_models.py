"""What crosses history when a tier pages a schedule: the question, the answer, what was paged.

The workflow never computes who is on call itself: an activity answers at the moment of the page
(calendars and overrides change), and the answer is recorded, so replay reads it back.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from escalation.contacts import Contact
from escalation.schedules import Schedule


class OnCallQuestion(BaseModel):
    """The activity's input: one schedule as the incident's policy snapshot has it, and when."""

    model_config = ConfigDict(extra="forbid")

    schedule_name: str
    schedule: Schedule
    contacts: dict[str, Contact] = Field(description="The policy's contacts, to read calendars")
    at: datetime


class OnCallAnswer(BaseModel):
    """Who a schedule had on call at the moment asked; `who` is None when nobody was."""

    schedule: str
    who: str | None
    source: str | None = Field(None, description="`override` or the layer that has them")
    warnings: list[str] = Field(
        default=[], description="A calendar that could not be read, or was read from its last copy"
    )


class TierReach(BaseModel):
    """Whom the incident's tiers reached: the page-time answers, kept in the incident's state."""

    people: dict[int, list[str]] = Field(
        default={}, description="Contacts paged at each tier (by index) the last time it paged"
    )
    reached_in_cycle: int = Field(
        -1, description="The last escalation cycle in which some tier paged someone"
    )
