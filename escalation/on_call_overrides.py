"""Overrides as operators make them: the commands, their refusals, and which ones still count.

The schedule workflow (`workflows.on_call_schedule`) holds them durably, one per schedule; the
page-time activity reads them from there, so an override reaches incidents already open.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

from escalation.schedules import Override

SCHEDULE_WORKFLOW = "OnCallScheduleWorkflow"
SET_OVERRIDE = "set_override"
REMOVE_OVERRIDE = "remove_override"
OVERRIDES_QUERY = "overrides"


def schedule_workflow_id(schedule: str) -> str:
    """`oncall-<schedule>`: one long-lived workflow per schedule, found by name in the UI."""
    return f"oncall-{schedule}"


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SetOverride(_Command):
    """Someone takes a stretch of a schedule over."""

    who: str = Field(description="A contact key from the policy, such as carol")
    start: datetime = Field(alias="from", description="ISO 8601 with an offset")
    end: datetime = Field(alias="to", description="ISO 8601 with an offset, after `from`")
    by: str = Field("operator", max_length=100, description="Who set it, for the record")

    @model_validator(mode="after")
    def _aware_and_ordered(self) -> SetOverride:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("`from` and `to` need a UTC offset, such as 2026-12-07T09:00+01:00")
        if self.end <= self.start:
            raise ValueError("`to` must be after `from`")
        return self


class RemoveOverride(_Command):
    """Take an override back before it ends."""

    id: str = Field(description="The override's id, as `escalation oncall` lists it")
    by: str = Field("operator", max_length=100)


class ScheduleStart(BaseModel):
    """The schedule workflow's input; after a continue-as-new it carries the overrides."""

    schedule: str
    overrides: list[Override] = []
    handoffs: bool = False
    """Hand-off notices were asked for (`notify_handoffs`): the run plans and sends them."""


SET_EXAMPLE = '{"who": "carol", "from": "2026-12-07T09:00+01:00", "to": "2026-12-08T09:00+01:00"}'
REMOVE_EXAMPLE = '{"id": "o-1a2b3c4d"}'


def set_refusal(
    command: SetOverride, schedule: str, now: datetime, contacts: Collection[str]
) -> str | None:
    """Why an override cannot be set, or None: the person must be in the policy, and it must
    not have ended already."""
    if command.who not in contacts:
        return f"{command.who!r} is not a contact in the policy (one of: {', '.join(contacts)})"
    if command.end <= now:
        return f"the override for {schedule} ends at {command.end.isoformat()}, already past"
    return None


def remove_refusal(command: RemoveOverride, overrides: Sequence[Override]) -> str | None:
    if not any(override.id == command.id for override in overrides):
        known = ", ".join(o.id or "?" for o in overrides) or "none"
        return f"no override {command.id!r} (current: {known})"
    return None


def new_override(
    command: SetOverride, schedule: str, override_id: str, now: datetime, held: Sequence[Override]
) -> Override:
    """The override as held: `set_at` strictly after every held one, so the newest always wins."""
    latest = max((o.set_at for o in held), default=now - timedelta(microseconds=1))
    return Override.model_validate(
        {
            "id": override_id,
            "schedule": schedule,
            "who": command.who,
            "from": command.start,
            "to": command.end,
            "set_at": max(now, latest + timedelta(microseconds=1)),
        }
    )


def still_current(overrides: Sequence[Override], now: datetime) -> list[Override]:
    """Overrides that have not ended: an ended one can never answer again."""
    return [override for override in overrides if override.end > now]


def next_end(overrides: Sequence[Override]) -> datetime | None:
    """When the earliest held override ends (the workflow drops it then)."""
    return min((override.end for override in overrides), default=None)
