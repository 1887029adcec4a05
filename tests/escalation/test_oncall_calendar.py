"""Calendar layers from an .ics feed written the way Google Calendar and Outlook write them.

The fixture has a weekly RRULE with an EXDATE in Google's style (IANA TZID, attendee by email),
an Outlook series (Windows zone name with its own VTIMEZONE, contact in the summary) with one
occurrence moved by RECURRENCE-ID, and an all-day event that names nobody.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from escalation.oncall import Roster
from escalation.oncall_calendar import CalendarUnreadable, read_calendar_shifts
from escalation.policy import Policy
from escalation.schedules import Schedule

FEED = Path(__file__).parent / "fixtures" / "database-oncall.ics"
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_recurrences_exceptions_and_zones(example_policy: Policy) -> None:
    reading = read_calendar_shifts(
        FEED.read_bytes(), example_policy.contacts, BERLIN, utc(2026, 12, 14), utc(2026, 12, 19)
    )
    assert [(s.who, s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in reading.shifts] == [
        ("carol", utc(2026, 12, 14, 8), utc(2026, 12, 14, 16)),
        # Tuesday the 15th is an EXDATE
        ("carol", utc(2026, 12, 16, 8), utc(2026, 12, 16, 16)),
        # Thursday the 17th was moved to 13:00-21:00 Berlin
        ("dave", utc(2026, 12, 17, 12), utc(2026, 12, 17, 20)),
        ("dave", utc(2026, 12, 18, 8), utc(2026, 12, 18, 16)),
    ]
    assert reading.unnamed == []


def test_summer_occurrences_follow_both_vtimezones(example_policy: Policy) -> None:
    reading = read_calendar_shifts(
        FEED.read_bytes(), example_policy.contacts, BERLIN, utc(2027, 6, 7), utc(2027, 6, 12)
    )
    starts = [(s.who, s.start.astimezone(UTC)) for s in reading.shifts]
    assert ("carol", utc(2027, 6, 7, 7)) in starts  # 09:00 CEST
    assert ("dave", utc(2027, 6, 10, 7)) in starts  # Outlook's "W. Europe Standard Time"


def test_an_event_naming_nobody_is_reported(example_policy: Policy) -> None:
    reading = read_calendar_shifts(
        FEED.read_bytes(), example_policy.contacts, BERLIN, utc(2026, 12, 19), utc(2026, 12, 20)
    )
    assert reading.shifts == []
    assert reading.unnamed == ["Team offsite (2026-12-19T00:00:00+01:00)"]


def test_a_calendar_layer_resolves_who_is_on_call(example_policy: Policy) -> None:
    plan = Schedule.model_validate(
        {"time_zone": "Europe/Berlin", "layers": [{"calendar": str(FEED)}]}
    )
    reading = read_calendar_shifts(
        FEED.read_bytes(), example_policy.contacts, BERLIN, utc(2026, 12, 17), utc(2026, 12, 18)
    )
    roster = Roster(name="db", schedule=plan, calendars={0: reading.shifts})
    assert roster.on_call_at(utc(2026, 12, 17, 12)) == ("dave", "layer 1")
    assert roster.on_call_at(utc(2026, 12, 17, 11)) == (None, None)
    day = roster.timeline(utc(2026, 12, 17), utc(2026, 12, 18))
    assert [s.who for s in day] == [None, "dave", None]


def test_text_that_is_not_a_calendar_is_refused(example_policy: Policy) -> None:
    with pytest.raises(CalendarUnreadable, match="not a readable iCalendar feed"):
        read_calendar_shifts(
            b"<html>login</html>",
            example_policy.contacts,
            BERLIN,
            utc(2026, 12, 1),
            utc(2026, 12, 2),
        )
