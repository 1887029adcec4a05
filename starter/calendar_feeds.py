"""Read the .ics feeds of a policy's calendar layers, from files or over http(s), client side.

The pure resolution (`escalation.oncall`) takes already-read events; this is the I/O in front of
it for `escalation oncall` and `escalation policy check`. A relative path is read from the
policy file's folder, as an operator expects when the two live side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from escalation.oncall import CalendarShift
from escalation.oncall_calendar import CalendarUnreadable, read_calendar_shifts
from escalation.policy import Policy

FETCH_TIMEOUT_SECONDS = 10.0


class CalendarUnavailable(Exception):
    """A calendar layer's feed could not be read; the message names the schedule and source."""


@dataclass
class ScheduleCalendars:
    """The events of each calendar layer of one schedule, and the events that named nobody."""

    shifts: dict[int, list[CalendarShift]] = field(default_factory=dict)
    unnamed: list[str] = field(default_factory=list)


def read_feed(source: str, policy_dir: Path) -> bytes:
    """The bytes of a feed: an http(s):// URL fetched with requests, else a file."""
    if source.lower().startswith(("http://", "https://")):
        try:
            response = requests.get(source, timeout=FETCH_TIMEOUT_SECONDS)
            response.raise_for_status()
        except requests.RequestException as error:
            raise CalendarUnavailable(f"cannot fetch {source}: {error}") from None
        return response.content
    path = Path(source).expanduser()
    if not path.is_absolute():
        path = policy_dir / path
    try:
        return path.read_bytes()
    except OSError as error:
        raise CalendarUnavailable(f"cannot read {path}: {error.strerror or error}") from None


def schedule_calendars(
    policy: Policy, name: str, policy_dir: Path, start: datetime, end: datetime
) -> ScheduleCalendars:
    """Read and expand every calendar layer of schedule `name` between `start` and `end`."""
    schedule = policy.schedules[name]
    calendars = ScheduleCalendars()
    for index, layer in enumerate(schedule.layers):
        if layer.calendar is None:
            continue
        zone = ZoneInfo(layer.time_zone or schedule.time_zone)
        text = read_feed(layer.calendar, policy_dir)
        try:
            reading = read_calendar_shifts(text, policy.contacts, zone, start, end)
        except CalendarUnreadable as error:
            raise CalendarUnavailable(
                f"schedules.{name}.layers[{index}].calendar {layer.calendar}: {error}"
            ) from None
        calendars.shifts[index] = reading.shifts
        calendars.unnamed += [
            f"schedules.{name}.layers[{index}]: event names no contact: {event}"
            for event in reading.unnamed
        ]
    return calendars
