"""Read the .ics feeds of a policy's calendar layers, from files or over http(s).

The pure resolution (`escalation.oncall`) takes already-read events; this is the I/O in front of
it for `escalation oncall`, `escalation policy check` and the page-time activity
(`activities.on_call`). A relative path is read from the policy file's folder, as an operator
expects when the two live side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from escalation.contacts import Contact
from escalation.oncall import CalendarShift
from escalation.oncall_calendar import CalendarUnreadable, read_calendar_shifts
from escalation.policy import Policy
from escalation.schedules import Schedule

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
        import requests  # noqa: PLC0415 - only URL feeds need it: a worker polls without it

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
    return calendars_of(
        name, policy.schedules[name], policy.contacts, policy_dir, start, end, read_feed
    )


def calendars_of(  # noqa: PLR0917 (a schedule, its folder, a window and how to read)
    name: str,
    schedule: Schedule,
    contacts: Mapping[str, Contact],
    policy_dir: Path,
    start: datetime,
    end: datetime,
    read: Callable[[str, Path], bytes],
) -> ScheduleCalendars:
    """Every calendar layer of one schedule between `start` and `end`, each feed read by `read`."""
    calendars = ScheduleCalendars()
    for index, layer in enumerate(schedule.layers):
        if layer.calendar is None:
            continue
        zone = ZoneInfo(layer.time_zone or schedule.time_zone)
        text = read(layer.calendar, policy_dir)
        try:
            reading = read_calendar_shifts(text, contacts, zone, start, end)
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
