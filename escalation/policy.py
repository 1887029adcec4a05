"""The escalation matrix: severities and their SLAs, tiers, management chain, clients, RACI."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from escalation.brands import Brand
from escalation.calendars import BusinessCalendar
from escalation.client_contracts import Contract
from escalation.contacts import Channel, Contact
from escalation.durations import Duration
from escalation.integrations import Integrations
from escalation.non_empty import at_least_one_set
from escalation.schedules import Schedule
from escalation.slack import SeveritySlack

ReviewRequirement = Literal["required", "optional", "none"]


class _PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeverityPolicy(_PolicyModel):
    """SLAs and channels for one severity."""

    ack_within: Duration = Field(description="Acknowledgment SLA, from the incident's opening")
    resolve_within: Duration = Field(description="Resolution SLA, from the incident's opening")
    client_updates_every: Duration | None = Field(
        None, description="Cadence of updates to affected clients until resolution"
    )
    channels: list[Channel] = Field(
        min_length=1, description="Channels used to page responders, in order of preference"
    )
    client_channels: list[Channel] = Field(
        default=["email"], min_length=1, description="Channels used for client updates"
    )
    review: ReviewRequirement = Field(
        description="Whether resolution starts a post-incident review"
    )
    review_within: Duration = Field(
        timedelta(days=5), description="Due date of the post-incident review, from resolution"
    )
    resolve_warnings: list[float] = Field(
        default=[0.5, 0.75, 0.9],
        description="Fractions of the resolution SLA at which responders are warned",
    )
    slack: SeveritySlack | None = Field(
        None, description="Tell the incident's story in Slack (when the worker has Slack set up)"
    )

    @field_validator("resolve_warnings")
    @classmethod
    def _fractions(cls, value: list[float]) -> list[float]:
        if any(not 0 < fraction < 1 for fraction in value):
            raise ValueError("each warning is a fraction between 0 and 1, such as 0.75")
        return sorted(set(value))


class Tier(_PolicyModel):
    """One rung of functional escalation: who is paged and how long they have."""

    name: str
    contacts: list[str] = Field(
        default=[], description="Contacts paged at this tier; may be empty when it names a schedule"
    )
    schedule: str | None = Field(
        None,
        description="A schedule whose on-call person this tier pages, asked at each page "
        "(`escalation oncall` shows who that is)",
    )
    escalate_after: Duration = Field(description="Window to acknowledge before the next tier")
    resolve_after: Duration | None = Field(
        None,
        description="Once acknowledged, how long this tier owns the incident before the next tier "
        "is consulted (first-point resolution); defaults to escalate_after",
    )

    @model_validator(mode="after")
    def _pages_someone(self) -> Tier:
        if not self.contacts and not self.schedule:
            raise ValueError("a tier pages `contacts`, a `schedule`, or both; it names neither")
        return self

    @property
    def ownership_window(self) -> timedelta:
        """How long an acknowledged incident stays with this tier before the next is consulted."""
        return self.resolve_after or self.escalate_after


class Management(_PolicyModel):
    """The management chain for hierarchical escalation (breaches, complexity, ownership)."""

    contacts: list[str] = Field(min_length=1)


class Client(_PolicyModel):
    """A customer whose contacts hear about incidents that affect them."""

    name: str
    contacts: list[Contact] = Field(min_length=1)
    contract: Contract | None = Field(None, description="Per-severity SLAs on a calendar")
    brand: Brand | None = Field(None, description="Who the client's notices come from")


class Stakeholders(_PolicyModel):
    """RACI beyond the responders: who is consulted and who is kept informed."""

    informed: list[str] = Field(default=[], description="Told of opening, breaches, resolution")
    consulted: list[str] = Field(
        default=[],
        description="Invited to every post-incident review and sent its complete final report",
    )


class ReviewPolicy(_PolicyModel):
    """Who owns post-incident reviews and how often they are chased."""

    default_owner: str | None = Field(
        None,
        description="Contact owning reviews of services without an owner; the first manager when unset",
    )
    owners: dict[str, str] = Field(default={}, description="Service -> contact owning its reviews")
    remind_every: Duration = Field(
        timedelta(days=1), description="Reminder cadence for overdue work"
    )


class RuleCondition(_PolicyModel):
    """Every condition given must hold for the rule to match."""

    category: str | None = None
    service: str | None = None
    clients_affected_at_least: int | None = Field(None, ge=1)
    users_affected_at_least: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _not_empty(self) -> RuleCondition:
        return at_least_one_set(self, "a rule needs at least one condition")


class ClassificationRule(_PolicyModel):
    """One line of the decision matrix: `{when: ..., severity: ...}` or `{default: ...}`."""

    when: RuleCondition | None = None
    severity: str | None = None
    default: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ClassificationRule:
        if self.default is not None:
            if self.when is not None or self.severity is not None:
                raise ValueError("a default rule has only `default`")
        elif self.when is None or self.severity is None:
            raise ValueError("a rule needs `when` and `severity`, or only `default`")
        return self

    @property
    def outcome(self) -> str:
        """The severity this rule assigns."""
        return self.default if self.default is not None else str(self.severity)

    def describe(self) -> str:
        """How the rule reads in the timeline, e.g. `category=data_breach -> critical`."""
        if self.when is None:
            return f"default -> {self.outcome}"
        conditions = ", ".join(
            f"{k}={v}" for k, v in self.when.model_dump(exclude_none=True).items()
        )
        return f"{conditions} -> {self.outcome}"


class ThrottleLimit(_PolicyModel):
    """At most `limit` messages to one address within any `per` (a sliding window)."""

    limit: int = Field(ge=1, description="Messages allowed to one address within `per`")
    per: Duration = Field(description="Length of the sliding window, such as 15m or 1h")


SMS_LIMITS = (
    ThrottleLimit(limit=5, per=timedelta(minutes=15)),
    ThrottleLimit(limit=11, per=timedelta(hours=1)),
    ThrottleLimit(limit=21, per=timedelta(hours=3)),
)
"""GoAlert's per-contact-method limits for alert SMS (engine/message/throttleconfig.go)."""

VOICE_LIMITS = (
    ThrottleLimit(limit=3, per=timedelta(minutes=15)),
    ThrottleLimit(limit=7, per=timedelta(hours=1)),
    ThrottleLimit(limit=15, per=timedelta(hours=3)),
)
"""GoAlert's per-contact-method limits for alert voice calls."""


class ThrottlePolicy(_PolicyModel):
    """Per-address limits for SMS and voice across all incidents; email is never throttled."""

    sms: list[ThrottleLimit] = Field(
        default=list(SMS_LIMITS),
        description="Limits per phone number for SMS; an empty list turns throttling off",
    )
    voice: list[ThrottleLimit] = Field(
        default=list(VOICE_LIMITS),
        description="Limits per phone number for voice calls; an empty list turns throttling off",
    )

    def limits(self, channel: str) -> list[ThrottleLimit]:
        """The limits of a channel; none for email."""
        return {"sms": self.sms, "voice": self.voice}.get(channel, [])


class Policy(_PolicyModel):
    """The whole escalation matrix, snapshotted into every incident at its start."""

    contacts: dict[str, Contact]
    severities: dict[str, SeverityPolicy] = Field(
        min_length=1, description="Most severe first; the order ranks severities"
    )
    tiers: list[Tier] = Field(min_length=1)
    management: Management
    repeat: int = Field(
        0, ge=0, le=10, description="Times the tiers are paged again before management"
    )
    clients: dict[str, Client] = {}
    calendars: dict[str, BusinessCalendar] = Field(
        {}, description="Business calendars by name; contracts name them, 24x7 is built in"
    )
    schedules: dict[str, Schedule] = Field(
        {}, description="On-call schedules by name; tiers name them with `schedule:`"
    )
    stakeholders: Stakeholders = Stakeholders()
    reviews: ReviewPolicy = ReviewPolicy()
    throttle: ThrottlePolicy = Field(
        ThrottlePolicy(),
        description="Per-address SMS and voice limits; bundles what they hold back",
    )
    classification: list[ClassificationRule] = Field(min_length=1)
    integrations: Integrations = Field(
        default={}, description="Monitors that report through the HTTP front door, by name"
    )

    def severity(self, name: str) -> SeverityPolicy:
        """The rules for a severity this policy defines."""
        return self.severities[name]

    def review_owner(self, service: str) -> str:
        """The contact who owns reviews of a service."""
        return (
            self.reviews.owners.get(service)
            or self.reviews.default_owner
            or self.management.contacts[0]
        )

    def contact(self, name: str) -> Contact:
        """A named contact, with the policy key as display name when none is given."""
        contact = self.contacts[name]
        return contact if contact.name else contact.model_copy(update={"name": name})
