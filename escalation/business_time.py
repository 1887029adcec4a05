"""Business-time arithmetic on a calendar: due times and time used, from given instants only.

A contract's `resolve_within: 8h` on a 09:00-17:00 calendar means eight working hours: opened
Friday 16:00, it is due Monday 16:00 (one hour on Friday, seven on Monday). Windows are
wall-clock times in the calendar's zone, so a working day stays 09:00-17:00 across
daylight-saving changes. `None` as the calendar is `24x7`.
Pauses (waiting on the client) are instants during which no business time passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from escalation.calendars import BusinessCalendar
from escalation.schedules import WEEKDAYS, as_utc

Interval = tuple[datetime, datetime]
"""A half-open span of instants, [start, end), in UTC."""

MAX_DAYS = 366 * 60
"""Calendar days searched for working time: far beyond any SLA, yet never an endless loop."""


def add_business_time(
    start: datetime,
    amount: timedelta,
    calendar: BusinessCalendar | None,
    pauses: Sequence[Interval] = (),
) -> datetime:
    """The instant at which `amount` of business time has passed since `start`, pauses excluded.

    A start outside working hours counts from the next opening; the result is the end of a
    window (17:00) rather than the next opening when the time runs out exactly there.
    """
    if amount < timedelta(0):
        raise ValueError("business time to add must not be negative")
    remaining = amount
    for begin, end in open_intervals(start, calendar, pauses):
        if begin + remaining <= end:
            return begin + remaining
        remaining -= end - begin
    raise ValueError("the calendar has no working time left to count on")


def business_time_between(
    start: datetime,
    end: datetime,
    calendar: BusinessCalendar | None,
    pauses: Sequence[Interval] = (),
) -> timedelta:
    """Business time from `start` to `end` (zero when `end` is earlier), pauses excluded."""
    end = as_utc(end)
    used = timedelta(0)
    for begin, finish in open_intervals(start, calendar, pauses):
        if begin >= end:
            break
        used += min(finish, end) - begin
    return used


def next_opening(start: datetime, calendar: BusinessCalendar | None) -> datetime:
    """When the clock starts for something that happens at `start`: now, or the next window."""
    return next(open_intervals(start, calendar, ()))[0]


def open_intervals(
    start: datetime, calendar: BusinessCalendar | None, pauses: Sequence[Interval]
) -> Iterator[Interval]:
    """Working time from `start` on, in order, with the pauses cut out."""
    return _without(_clipped(working_intervals(start, calendar), as_utc(start)), pauses)


def working_intervals(start: datetime, calendar: BusinessCalendar | None) -> Iterator[Interval]:
    """The calendar's working windows, merged and in order, from the one around `start` on."""
    if calendar is None:
        yield as_utc(start), datetime.max.replace(tzinfo=UTC) - timedelta(days=1)
        return
    zone = ZoneInfo(calendar.time_zone)
    closed = calendar.closed_on()
    first = as_utc(start).astimezone(zone).date() - timedelta(days=1)
    pending: Interval | None = None
    for offset in range(MAX_DAYS):
        day = first + timedelta(days=offset)
        for window in _windows_of(day, calendar, zone, closed):
            if pending is not None and window[0] <= pending[1]:
                pending = (pending[0], max(pending[1], window[1]))
                continue
            if pending is not None:
                yield pending
            pending = window
    if pending is not None:
        yield pending


def _windows_of(
    day: date, calendar: BusinessCalendar, zone: ZoneInfo, closed: frozenset[date]
) -> list[Interval]:
    """The windows opening on one local date, as UTC instants, earliest first."""
    if day in closed:
        return []
    weekday = WEEKDAYS[day.weekday()]
    windows = []
    for hours in calendar.hours:
        if weekday not in hours.days:
            continue
        opens = _local(day, hours.start, zone)
        closes = _local(day, hours.start + hours.length_minutes, zone)
        if closes > opens:
            windows.append((opens, closes))
    return sorted(windows)


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """Wall-clock `minutes` after midnight of `day` in `zone`, as a UTC instant."""
    moment = datetime.combine(day + timedelta(days=minutes // 1440), time(), tzinfo=zone)
    wall = moment.replace(hour=minutes % 1440 // 60, minute=minutes % 60)
    return wall.astimezone(UTC)


def _clipped(intervals: Iterable[Interval], start: datetime) -> Iterator[Interval]:
    for begin, end in intervals:
        if end > start:
            yield max(begin, start), end


def _without(intervals: Iterable[Interval], pauses: Sequence[Interval]) -> Iterator[Interval]:
    """Cut every pause out of the intervals."""
    cuts = sorted((as_utc(a), as_utc(b)) for a, b in pauses if b > a)
    for begin, end in intervals:
        rest = begin
        for cut_start, cut_end in cuts:
            if cut_end <= rest or cut_start >= end:
                continue
            if cut_start > rest:
                yield rest, cut_start
            rest = max(rest, cut_end)
            if rest >= end:
                break
        if rest < end:
            yield rest, end
