"""Who is on call for a schedule at an instant, and when that changes: pure and deterministic.

No clock reads and no I/O: a `Roster` holds the schedule with its overrides and the calendar
events already read, and the caller passes the instant, so a workflow can ask with
`workflow.now()` and a roster an activity built.
Every instant is compared in UTC; wall-clock times are turned into instants per layer zone,
which is how daylight-saving changes fall out right.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from escalation.schedules import WEEKDAYS, Layer, Override, Restriction, Schedule, as_utc

OVERRIDE_SOURCE = "override"
DEFAULT_HORIZON = timedelta(days=90)
"""How far `hand_offs` looks ahead for changes of who is on call."""


class CalendarShift(BaseModel):
    """One occurrence of a calendar event, already matched to a contact."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    who: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class OnCallShift:
    """A stretch of time with one answer to "who is on call"; `who` is None for a gap."""

    who: str | None
    start: datetime
    end: datetime
    source: str | None
    """`override`, or the layer that has them (`layer 2` or its name); None for a gap."""


class Roster(BaseModel):
    """A schedule with the facts from outside it: overrides and calendar events already read.

    Everything a workflow needs to ask "who is on call" deterministically; it can cross history.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="The schedule's key in the policy; overrides name it")
    schedule: Schedule
    overrides: list[Override] = Field(
        default=[], description="Overrides of any schedule; those naming this one apply"
    )
    calendars: dict[int, list[CalendarShift]] = Field(
        default={}, description="Events of each calendar layer, by the layer's index"
    )

    def on_call_at(self, at: datetime) -> tuple[str | None, str | None]:
        """(who, source) at `at`: an override first, else the last layer with someone."""
        moment = as_utc(at)
        override = self._override_at(moment)
        if override is not None:
            return override.who, OVERRIDE_SOURCE
        for index in reversed(range(len(self.schedule.layers))):
            layer = self.schedule.layers[index]
            zone = _zone(self.schedule, layer)
            who = _layer_who(layer, zone, moment, self.calendars.get(index, ()))
            if who is not None:
                return who, layer.name or f"layer {index + 1}"
        return None, None

    def timeline(self, start: datetime, end: datetime) -> list[OnCallShift]:
        """Who is on call from `start` to `end`, as consecutive shifts (neighbours differ)."""
        first, last = as_utc(start), as_utc(end)
        if last <= first:
            return []
        moments = sorted({first} | {m for m in self._boundaries(first, last) if first < m < last})
        shifts: list[OnCallShift] = []
        for moment, following in zip(moments, [*moments[1:], last], strict=True):
            who, source = self.on_call_at(moment)
            if shifts and (shifts[-1].who, shifts[-1].source) == (who, source):
                shifts[-1] = OnCallShift(who, shifts[-1].start, following, source)
            else:
                shifts.append(OnCallShift(who, moment, following, source))
        return shifts

    def hand_offs(
        self, after: datetime, count: int, horizon: timedelta = DEFAULT_HORIZON
    ) -> list[OnCallShift]:
        """The next `count` changes of who is on call after `after`, within `horizon`.

        Each is the shift that starts at the hand-off; the last one's end is cut at the horizon.
        """
        return self.timeline(after, as_utc(after) + horizon)[1 : count + 1]

    def gaps(self, start: datetime, end: datetime) -> list[OnCallShift]:
        """The stretches between `start` and `end` when nobody is on call."""
        return [shift for shift in self.timeline(start, end) if shift.who is None]

    # -- where the answer can change ----------------------------------------------------------------

    def _override_at(self, moment: datetime) -> Override | None:
        current = [
            o
            for o in self.overrides
            if o.schedule == self.name and as_utc(o.start) <= moment < as_utc(o.end)
        ]
        if not current:
            return None
        return max(current, key=lambda override: as_utc(override.set_at))

    def _boundaries(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Every instant where the answer can change: override, window, shift, event edges."""
        for override in self.overrides:
            if override.schedule == self.name:
                yield as_utc(override.start)
                yield as_utc(override.end)
        for index, layer in enumerate(self.schedule.layers):
            zone = _zone(self.schedule, layer)
            if layer.restrictions:
                first = start.astimezone(zone).date() - timedelta(days=1)
                last = end.astimezone(zone).date()
                for opens, closes in _windows(layer.restrictions, zone, first, last):
                    yield opens
                    yield closes
            if layer.is_rotation:
                yield from _rotation_boundaries(layer, zone, start, end)
            else:
                for event in self.calendars.get(index, ()):
                    yield as_utc(event.start)
                    yield as_utc(event.end)


# -- one layer ----------------------------------------------------------------------------------


def _zone(schedule: Schedule, layer: Layer) -> ZoneInfo:
    return ZoneInfo(layer.time_zone or schedule.time_zone)


def _layer_who(
    layer: Layer, zone: ZoneInfo, moment: datetime, events: Sequence[CalendarShift]
) -> str | None:
    if layer.restrictions and not _within_restrictions(layer.restrictions, zone, moment):
        return None
    if layer.is_rotation:
        return _rotation_who(layer, zone, moment)
    return _calendar_who(events, moment)


def _rotation_who(layer: Layer, zone: ZoneInfo, moment: datetime) -> str | None:
    index = _shift_index(layer, zone, moment)
    if index < 0:
        return None
    return layer.participants[index % len(layer.participants)]


def _shift_index(layer: Layer, zone: ZoneInfo, moment: datetime) -> int:
    """Which turn `moment` falls in: shift k runs from hand-off + k shifts (wall clock)."""
    assert layer.shift is not None
    anchor = _wall_clock(layer.rotation_start, zone)
    elapsed = moment.astimezone(zone).replace(tzinfo=None) - anchor
    index = math.floor(elapsed / layer.shift)
    # A wall-clock guess can be one off around a daylight-saving change; the instants decide.
    while _shift_start(layer, zone, index) > moment:
        index -= 1
    while _shift_start(layer, zone, index + 1) <= moment:
        index += 1
    return index


def _shift_start(layer: Layer, zone: ZoneInfo, index: int) -> datetime:
    assert layer.shift is not None
    return _instant(_wall_clock(layer.rotation_start, zone) + index * layer.shift, zone)


def _wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """A hand-off as naive wall-clock time in the zone (one with an offset is converted)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone).replace(tzinfo=None)


def _instant(wall_clock: datetime, zone: ZoneInfo) -> datetime:
    """Wall-clock time in a zone as a UTC instant; a time skipped by DST reads as before it."""
    return wall_clock.replace(tzinfo=zone).astimezone(UTC)


def _within_restrictions(
    restrictions: Sequence[Restriction], zone: ZoneInfo, moment: datetime
) -> bool:
    day = moment.astimezone(zone).date()
    return any(
        start <= moment < end
        for start, end in _windows(restrictions, zone, day - timedelta(days=1), day)
    )


def _windows(
    restrictions: Sequence[Restriction], zone: ZoneInfo, first_day: date, last_day: date
) -> Iterator[tuple[datetime, datetime]]:
    """Every restriction window starting on a day from first_day to last_day, as instants."""
    day = first_day
    while day <= last_day:
        midnight = datetime(day.year, day.month, day.day)
        weekday = WEEKDAYS[day.weekday()]
        for restriction in restrictions:
            if weekday in restriction.days:
                opens = midnight + timedelta(minutes=restriction.start)
                closes = opens + timedelta(minutes=restriction.length_minutes)
                yield _instant(opens, zone), _instant(closes, zone)
        day += timedelta(days=1)


def _calendar_who(events: Sequence[CalendarShift], moment: datetime) -> str | None:
    """The event that started last wins where a calendar's events overlap."""
    current = [e for e in events if as_utc(e.start) <= moment < as_utc(e.end)]
    if not current:
        return None
    return max(current, key=lambda event: as_utc(event.start)).who


def _rotation_boundaries(
    layer: Layer, zone: ZoneInfo, start: datetime, end: datetime
) -> Iterator[datetime]:
    index = max(_shift_index(layer, zone, start), -1) + 1
    while (moment := _shift_start(layer, zone, index)) < end:
        yield moment
        index += 1
