"""A client's contract as the policy writes it: per-severity SLAs counted on a business calendar.

PSA tools (ConnectWise, Autotask, ServiceNow) call these service agreements: response and
resolution targets per priority, on the client's business hours, with the clock paused while
waiting on the customer. A severity the contract does not list, and a target it leaves out,
keep the severity's own SLA on the contract's calendar.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

from escalation.calendars import ALWAYS
from escalation.durations import Duration
from escalation.non_empty import at_least_one_set


class _ContractModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContractTerms(_ContractModel):
    """The targets of one severity, each counted in business time on the contract's calendar."""

    ack_within: Duration | None = Field(None, description="Acknowledgment target")
    resolve_within: Duration | None = Field(None, description="Resolution target")
    updates_every: Duration | None = Field(None, description="Cadence of updates to the client")

    @model_validator(mode="after")
    def _not_empty(self) -> ContractTerms:
        return at_least_one_set(
            self, "set at least one of ack_within, resolve_within, updates_every"
        )


class Contract(_ContractModel):
    """What a client was promised: targets per severity on one calendar."""

    name: str | None = Field(None, description="Shown in reports, such as `Gold`")
    calendar: str = Field(
        ALWAYS, description="A calendar under `calendars:`, or 24x7 (every hour) by default"
    )
    max_pause: Duration = Field(
        timedelta(days=3),
        description="Longest a clock stays paused waiting on the client before it resumes itself",
    )
    severities: dict[str, ContractTerms] = Field(
        min_length=1, description="Targets per severity; others keep the severity's SLAs"
    )
