"""What a monitoring system or a person reports: the input that opens or joins an incident."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

DEDUP_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"
MAX_USERS_AFFECTED = 10_000_000_000
"""More than everyone on Earth; bounds a number that is stored and rendered in every message."""

MAX_REPEATS = 1_000_000
"""Bounds one coalesced report; a flood larger than this arrives as several."""

ClientKey = Annotated[str, Field(max_length=100)]


class Alert(BaseModel):
    """One report of a problem. Reports sharing a dedup key join the same open incident."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, description="What is wrong, in one line")
    service: str = Field(min_length=1, max_length=100, description="The affected service")
    description: str = Field("", max_length=10_000, description="Details for the responders")
    severity: str | None = Field(
        None, max_length=50, description="Explicit severity; overrides the decision matrix"
    )
    category: str | None = Field(
        None, max_length=50, description="Kind of incident, such as outage or data_breach"
    )
    users_affected: int = Field(
        0, ge=0, le=MAX_USERS_AFFECTED, description="How many users are affected, if known"
    )
    clients_affected: list[ClientKey] = Field(
        default=[], max_length=500, description="Policy keys of the affected clients"
    )
    dedup_key: str | None = Field(
        None,
        pattern=DEDUP_KEY_PATTERN,
        description="Reports with the same key join one open incident",
    )
    source: str | None = Field(None, max_length=100, description="Who or what reported it")
    alert_id: str | None = Field(None, max_length=64, description="Unique id of this report")
    repeats: int = Field(
        1,
        ge=1,
        le=MAX_REPEATS,
        description="How many reports this one stands for (a sender that coalesces a flood)",
    )
