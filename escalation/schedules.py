"""On-call schedules as the policy writes them: a time zone and layers, the later layer winning.

A layer is a rotation (participants taking turns in shifts of hours, days or weeks from a hand-off
moment) or a calendar (.ics events naming who is on call), optionally limited to some days and
hours. Times are wall-clock times in the layer's zone, so "hand off Monday 09:00" stays 09:00
across daylight-saving changes. Resolution lives in `escalation.oncall`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from escalation.durations import Duration

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60

ROTATION_EPOCH = datetime(2024, 1, 1)
"""A Monday: `hand_off: Mon 09:00` means the first participant's shift began 2024-01-01 09:00."""


def _zone_name(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (an IANA name such as Europe/Berlin or UTC)"
        ) from None
    return value


TimeZoneName = Annotated[str, AfterValidator(_zone_name)]
"""An IANA time zone name, checked against the zone database when the policy loads."""


def _minutes_of_day(value: Any) -> int:
    """`"09:00"` -> 540. YAML reads an unquoted `17:00` as the base-60 integer 1020: the same."""
    if isinstance(value, bool):
        raise ValueError(f"expected a time of day such as 09:00, got {value!r}")
    if isinstance(value, int):
        if 60 <= value <= MINUTES_PER_DAY:
            return value
        raise ValueError(f"expected a time of day such as 09:00, got {value!r}")
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", str(value))
    if not match or int(match[2]) > 59 or int(match[1]) * 60 + int(match[2]) > MINUTES_PER_DAY:
        raise ValueError(f"expected a time of day from 00:00 to 24:00, got {value!r}")
    return int(match[1]) * 60 + int(match[2])


def format_clock(minutes: int) -> str:
    """540 -> `09:00`."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


ClockTime = Annotated[
    int,
    BeforeValidator(_minutes_of_day),
    PlainSerializer(format_clock, return_type=str),
]
"""A wall-clock time of day, `HH:MM` from 00:00 to 24:00, held as minutes after midnight."""


def _weekday(value: Any) -> str:
    """`Monday`, `MON` and `mon` all mean `mon`."""
    text = str(value).strip().lower()
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    if text in WEEKDAYS or text in names:
        return text[:3]
    raise ValueError(f"expected a weekday such as mon or Monday, got {value!r}")


Day = Annotated[Weekday, BeforeValidator(_weekday)]


def _hand_off(value: Any) -> datetime:
    """`Mon 09:00`, `09:00` (daily), or a date-time: when a shift hands over to the next person."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int):
        return ROTATION_EPOCH + timedelta(minutes=_minutes_of_day(value))
    text = str(value).strip()
    match = re.fullmatch(r"(?:([A-Za-z]+)\s+)?(\d{1,2}:\d{2})", text)
    if match:
        day = _weekday(match[1] or "mon")
        offset = timedelta(days=WEEKDAYS.index(day), minutes=_minutes_of_day(match[2]))
        return ROTATION_EPOCH + offset
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"expected a hand-off such as `Mon 09:00`, `09:00` or `2026-12-07T09:00`, got {value!r}"
        ) from None


HandOff = Annotated[
    datetime,
    BeforeValidator(_hand_off),
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str),
]
"""A moment a shift starts; without an offset it is wall-clock time in the layer's zone."""


FROM_ENVIRONMENT = "env:"
"""A calendar source `env:NAME`: the feed's URL (or path) is in the worker's environment variable
NAME, so a private feed's secret link is never in the policy, its snapshot or any history."""
ENVIRONMENT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _calendar_source(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("expected an .ics file path, an http(s):// URL or env:NAME")
    if text.startswith(FROM_ENVIRONMENT):
        if not ENVIRONMENT_NAME.match(text.removeprefix(FROM_ENVIRONMENT)):
            raise ValueError(
                f"expected env: and an environment variable's name, such as "
                f"env:DATABASE_ONCALL_ICS, got {value!r}"
            )
        return text
    if "://" in text and not text.lower().startswith(("http://", "https://")):
        raise ValueError(f"a calendar URL must be http:// or https://, got {value!r}")
    return text


CalendarSource = Annotated[str, AfterValidator(_calendar_source)]
"""An iCalendar feed: a path (relative to the policy file), an http(s):// URL, or `env:NAME`
(either of those, kept in the worker's environment: a private feed's link is a secret)."""


def carries_secret(source: str) -> bool:
    """Whether a calendar URL written in the policy looks private: a query (`?token=`, Outlook's
    and Google's secret addresses) or credentials before the host. The policy is kept in every
    incident's history; such a link belongs in the environment (`env:NAME`)."""
    if not source.lower().startswith(("http://", "https://")):
        return False
    parts = urlsplit(source)
    return bool(parts.query or parts.username or parts.password or "/private-" in parts.path)


class _ScheduleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Restriction(_ScheduleModel):
    """A window of wall-clock time on some days; `to` before `from` runs past midnight."""

    days: list[Day] = Field(
        default=list(WEEKDAYS), min_length=1, description="Days the window starts on"
    )
    start: ClockTime = Field(alias="from", description="Start of the window, such as 09:00")
    end: ClockTime = Field(
        alias="to",
        description="End of the window, such as 17:00; earlier than `from` ends the next day, "
        "equal to it means 24 hours",
    )

    @property
    def length_minutes(self) -> int:
        """How long each window lasts, in wall-clock minutes."""
        return (self.end - self.start) % MINUTES_PER_DAY or MINUTES_PER_DAY


class Layer(_ScheduleModel):
    """One layer of a schedule: a rotation or a calendar, within its restrictions."""

    name: str | None = Field(None, description="Shown by `escalation oncall`")
    time_zone: TimeZoneName | None = Field(
        None, description="Zone of this layer's hand-offs and restrictions; the schedule's if unset"
    )
    participants: list[str] = Field(
        default=[], description="Contacts taking turns, in order (a rotation)"
    )
    shift: Duration | None = Field(None, description="Length of each turn: 8h, 1d, 1w")
    hand_off: HandOff | None = Field(
        None,
        description="When the first participant's turn starts: `Mon 09:00` or `09:00` (counted "
        "from 2024-01-01, a Monday) or a date-time; the default is Mon 00:00",
    )
    calendar: CalendarSource | None = Field(
        None,
        description="An .ics file, an http(s):// URL, or env:NAME (the environment variable "
        "holding either, for a private feed) whose events name who is on call",
    )
    restrictions: list[Restriction] = Field(
        default=[], description="Days and hours the layer applies; always when empty"
    )

    @model_validator(mode="after")
    def _rotation_or_calendar(self) -> Layer:
        rotation = bool(self.participants) or self.shift is not None or self.hand_off is not None
        if self.calendar is not None and rotation:
            raise ValueError("a layer is a rotation (participants, shift) or a calendar, not both")
        if self.calendar is None:
            if not self.participants:
                raise ValueError("a layer needs `participants` and `shift`, or a `calendar`")
            if self.shift is None:
                raise ValueError("a rotation needs a `shift` length such as 1w, 1d or 8h")
            if self.shift < timedelta(minutes=1):
                raise ValueError("a shift lasts at least one minute")
        return self

    @property
    def is_rotation(self) -> bool:
        """Whether participants take turns (else a calendar names who is on call)."""
        return self.calendar is None

    @property
    def rotation_start(self) -> datetime:
        """The first shift's start; nobody is on call from this rotation before it."""
        return self.hand_off or ROTATION_EPOCH


class Schedule(_ScheduleModel):
    """Who is on call for a team, resolved in `escalation.oncall`."""

    time_zone: TimeZoneName = Field(description="IANA zone of the layers, such as Europe/Berlin")
    description: str | None = None
    layers: list[Layer] = Field(
        min_length=1, description="Later layers win wherever they have someone on call"
    )
    notify_handoffs: bool = Field(
        False, description="Tell the incoming person by SMS and email at each hand-off"
    )


class Override(_ScheduleModel):
    """Someone covering a schedule for a while; the newest override wins where they overlap."""

    id: str | None = Field(None, description="Names the override for `--remove`")
    schedule: str
    who: str = Field(description="The contact on call instead")
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    set_at: datetime = Field(description="When the override was made: the newest wins")

    @model_validator(mode="after")
    def _aware_and_ordered(self) -> Override:
        for moment in (self.start, self.end, self.set_at):
            if moment.tzinfo is None:
                raise ValueError("override times need a UTC offset, such as 2026-12-07T09:00Z")
        if self.end <= self.start:
            raise ValueError("an override ends after it starts")
        return self


def as_utc(moment: datetime) -> datetime:
    """An aware instant in UTC; naive instants are refused, as their zone would be a guess."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)
