"""Read the .ics feeds of a policy's calendar layers, from files or over http(s).

The pure resolution (`escalation.oncall`) takes already-read events; this is the I/O in front of
it for `escalation oncall`, `escalation policy check` and the page-time activity
(`activities.on_call`). A relative path is read from the policy file's folder, as an operator
expects when the two live side by side.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from escalation.contacts import Contact
from escalation.oncall import CalendarShift
from escalation.oncall_calendar import CalendarUnreadable, read_calendar_shifts
from escalation.policy import Policy
from escalation.schedules import FROM_ENVIRONMENT, Schedule

FETCH_TIMEOUT_SECONDS = 10.0


class CalendarUnavailable(Exception):
    """A calendar layer's feed could not be read; the message names the schedule and source."""


@dataclass
class ScheduleCalendars:
    """The events of each calendar layer of one schedule, and the events that named nobody."""

    shifts: dict[int, list[CalendarShift]] = field(default_factory=dict)
    unnamed: list[str] = field(default_factory=list)


def read_feed(source: str, policy_dir: Path) -> bytes:
    """The bytes of a feed: an http(s):// URL fetched with requests, else a file; `env:NAME`
    reads the one named in the environment, and its errors never show it (a secret link)."""
    if source.startswith(FROM_ENVIRONMENT):
        return _read_secret_feed(source.removeprefix(FROM_ENVIRONMENT), policy_dir)
    if _is_url(source):
        try:
            return _fetch(source, detailed=True)
        except CalendarUnavailable as error:
            raise CalendarUnavailable(f"cannot fetch {source}: {error}") from None
    path = _path(source, policy_dir)
    try:
        return _read_file(path)
    except CalendarUnavailable as error:
        raise CalendarUnavailable(f"cannot read {path}: {error}") from None


def _read_secret_feed(variable: str, policy_dir: Path) -> bytes:
    """The feed whose URL or path environment variable `variable` holds, named by the variable
    alone in every error: the error is an activity failure, kept in the incident's history."""
    source = os.environ.get(variable, "").strip()
    if not source or source.startswith(FROM_ENVIRONMENT):
        raise CalendarUnavailable(
            f"environment variable {variable} must hold the calendar feed's URL or path"
        )
    try:
        if _is_url(source):
            return _fetch(source, detailed=False)
        return _read_file(_path(source, policy_dir))
    except CalendarUnavailable as error:
        raise CalendarUnavailable(f"cannot read the feed in ${variable}: {error}") from None


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _path(source: str, policy_dir: Path) -> Path:
    """A feed file; a relative path is read from the policy file's folder."""
    path = Path(source).expanduser()
    return path if path.is_absolute() else policy_dir / path


def _read_file(path: Path) -> bytes:
    """The file's bytes; the error is the system's reason alone, without the path."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise CalendarUnavailable(error.strerror or type(error).__name__) from None


def _fetch(url: str, *, detailed: bool) -> bytes:
    """GET the feed. The error is requests' own when `detailed`, else its kind and the status
    alone: requests' messages repeat the URL."""
    import requests  # noqa: PLC0415 - only URL feeds need it: a worker polls without it

    try:
        response = requests.get(url, timeout=FETCH_TIMEOUT_SECONDS)
        response.raise_for_status()
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else "?"
        raise CalendarUnavailable(str(error) if detailed else f"HTTP {status}") from None
    except requests.RequestException as error:
        raise CalendarUnavailable(str(error) if detailed else type(error).__name__) from None
    return response.content


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
