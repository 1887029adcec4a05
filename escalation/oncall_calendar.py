"""Turn an iCalendar feed's text into on-call shifts for a calendar layer (no I/O).

Recurrence (RRULE, EXDATE, moved occurrences), VTIMEZONE and all-day events are the job of
icalendar and recurring-ical-events. An event names its contact by an attendee's email
(`mailto:`) or by its summary (a contact's key or display name); events naming nobody are
returned apart so `escalation oncall` and `policy check` can say which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from escalation.contacts import Contact
from escalation.oncall import CalendarShift

if TYPE_CHECKING:
    import icalendar


class CalendarUnreadable(ValueError):
    """The text is not an iCalendar feed, or its recurrences cannot be expanded."""


@dataclass(frozen=True)
class CalendarReading:
    """The shifts a feed names between two instants, and the events that name no contact."""

    shifts: list[CalendarShift] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)
    """`summary (start)` of each occurrence whose attendees and summary match no contact."""


def read_calendar_shifts(
    text: str | bytes,
    contacts: Mapping[str, Contact],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
) -> CalendarReading:
    """Every occurrence overlapping [start, end) as a shift; floating times are in `zone`."""
    import icalendar  # noqa: PLC0415 - loaded by the first calendar read, not before a worker polls
    import recurring_ical_events  # noqa: PLC0415

    try:
        calendar = icalendar.Calendar.from_ical(text)
        occurrences = recurring_ical_events.of(calendar).between(start, end)
    except Exception as error:
        raise CalendarUnreadable(f"not a readable iCalendar feed: {error}") from None
    reading = CalendarReading()
    for event in occurrences:
        first = _instant(event.get("DTSTART").dt, zone)
        last = _instant(event.get("DTEND").dt, zone) if event.get("DTEND") else None
        if last is None:
            duration = event.get("DURATION")
            last = first + (duration.dt if duration else timedelta(days=1))
        who = _contact_named(event, contacts)
        if who is None:
            reading.unnamed.append(f"{event.get('SUMMARY', '(no summary)')} ({first.isoformat()})")
        elif last > first:
            reading.shifts.append(CalendarShift(who=who, start=first, end=last))
    reading.shifts.sort(key=lambda shift: (shift.start, shift.end, shift.who))
    return reading


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """All-day dates start at midnight and floating times are wall clock, both in `zone`."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value


def _contact_named(event: icalendar.Event, contacts: Mapping[str, Contact]) -> str | None:
    by_email = {c.email.lower(): key for key, c in contacts.items() if c.email}
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    for attendee in attendees:
        address = str(attendee).strip()
        if address.lower().startswith("mailto:"):
            address = address[len("mailto:") :]
        if address.lower() in by_email:
            return by_email[address.lower()]
    summary = str(event.get("SUMMARY", "")).strip().lower()
    for key, contact in contacts.items():
        if summary in {key.lower(), (contact.name or key).lower()}:
            return key
    return None
