"""Who is on call: rotations, restrictions, layers, overrides, time zones, DST and leap days.

Every instant is fixed; expectations are written in UTC so a daylight-saving mistake shows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from escalation.oncall import CalendarShift, Roster
from escalation.schedules import Override, Schedule


def schedule(time_zone: str, *layers: dict[str, Any]) -> Schedule:
    return Schedule.model_validate({"time_zone": time_zone, "layers": list(layers)})


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def roster(plan: Schedule, **facts: Any) -> Roster:
    return Roster(name="team", schedule=plan, **facts)


def who(plan: Schedule, at: datetime) -> str | None:
    return roster(plan).on_call_at(at)[0]


def restricted(time_zone: str, person: str, *windows: dict[str, Any]) -> Schedule:
    """One person on a weekly rotation, on call only inside `windows`."""
    return schedule(
        time_zone, {"participants": [person], "shift": "1w", "restrictions": list(windows)}
    )


WEEKLY_BERLIN = schedule(
    "Europe/Berlin",
    {"participants": ["alice", "bob", "carol"], "shift": "1w", "hand_off": "Mon 09:00"},
)


def test_weekly_rotation_hands_off_monday_nine_in_berlin() -> None:
    # 2024-01-01 09:00 CET (08:00 UTC) starts alice's first week; 2026-12-07 is 153 weeks later,
    # a multiple of three, so alice again.
    assert who(WEEKLY_BERLIN, utc(2024, 1, 1, 8)) == "alice"
    assert who(WEEKLY_BERLIN, utc(2024, 1, 1, 7, 59)) is None  # before the rotation began
    assert who(WEEKLY_BERLIN, utc(2026, 12, 7, 7, 59)) == "carol"
    assert who(WEEKLY_BERLIN, utc(2026, 12, 7, 8)) == "alice"
    assert who(WEEKLY_BERLIN, utc(2026, 12, 14, 8)) == "bob"


def test_weekly_hand_off_stays_nine_local_across_daylight_saving() -> None:
    # Berlin springs forward on Sunday 2027-03-28: 09:00 is 08:00 UTC before, 07:00 UTC after.
    shifts = roster(WEEKLY_BERLIN).hand_offs(utc(2027, 3, 16), 3)
    assert [shift.start for shift in shifts] == [
        utc(2027, 3, 22, 8),
        utc(2027, 3, 29, 7),
        utc(2027, 4, 5, 7),
    ]
    assert shifts[0].end - shifts[0].start == timedelta(days=7, hours=-1)


def test_daily_rotation_over_the_autumn_change_lasts_25_hours() -> None:
    daily = schedule(
        "America/New_York", {"participants": ["alice", "bob"], "shift": "1d", "hand_off": "08:00"}
    )
    # New York falls back on Sunday 2026-11-01: 08:00 is 12:00 UTC before, 13:00 UTC after.
    shifts = roster(daily).hand_offs(utc(2026, 10, 31, 0), 2)
    assert [(s.start, s.end - s.start) for s in shifts] == [
        (utc(2026, 10, 31, 12), timedelta(hours=25)),
        (utc(2026, 11, 1, 13), timedelta(hours=24)),
    ]


def test_hourly_shifts_around_the_repeated_and_the_skipped_hour() -> None:
    hourly = schedule("Europe/Berlin", {"participants": ["alice", "bob"], "shift": "1h"})
    # 2026-10-25 02:00-03:00 happens twice: the shift handed off at 02:00 covers both.
    assert who(hourly, utc(2026, 10, 25, 0, 30)) == who(hourly, utc(2026, 10, 25, 1, 30))
    around = roster(hourly).timeline(utc(2026, 10, 24, 23), utc(2026, 10, 25, 3))
    assert [(s.start, s.end) for s in around] == [
        (utc(2026, 10, 24, 23), utc(2026, 10, 25, 0)),
        (utc(2026, 10, 25, 0), utc(2026, 10, 25, 2)),
        (utc(2026, 10, 25, 2), utc(2026, 10, 25, 3)),
    ]
    assert [s.who for s in around] == ["bob", "alice", "bob"]
    # 2027-03-28 02:00-03:00 never happens: its shift is empty, so bob's 01:00 turn is followed
    # by his 03:00 turn and nobody else is on call in between.
    spring = roster(hourly).timeline(utc(2027, 3, 28, 0), utc(2027, 3, 28, 2))
    assert [(s.who, s.start, s.end) for s in spring] == [
        ("bob", utc(2027, 3, 28, 0), utc(2027, 3, 28, 2))
    ]


def test_night_shifts_run_across_midnight() -> None:
    nights = schedule(
        "UTC", {"participants": ["alice", "bob"], "shift": "12h", "hand_off": "Mon 20:00"}
    )
    assert who(nights, utc(2026, 12, 7, 23, 59)) == who(nights, utc(2026, 12, 8, 7, 59))
    assert who(nights, utc(2026, 12, 8, 8)) != who(nights, utc(2026, 12, 8, 7, 59))


BUSINESS_HOURS = restricted(
    "Europe/London",
    "dave",
    {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"},
)
NIGHTS_AND_WEEKENDS = restricted(
    "UTC",
    "erin",
    {"days": ["Monday", "tue", "wed", "thu", "fri"], "from": "17:00", "to": "09:00"},
    {"days": ["sat", "sun"], "from": "00:00", "to": "00:00"},
)


@pytest.mark.parametrize(
    ("plan", "at", "on_call"),
    [
        # Friday 2026-12-11 is winter (UTC+0); Friday 2027-06-11 is summer (UTC+1).
        (BUSINESS_HOURS, utc(2026, 12, 11, 9), "dave"),
        (BUSINESS_HOURS, utc(2026, 12, 11, 16, 59), "dave"),
        (BUSINESS_HOURS, utc(2026, 12, 11, 17), None),
        (BUSINESS_HOURS, utc(2026, 12, 12, 12), None),  # Saturday
        (BUSINESS_HOURS, utc(2027, 6, 11, 8), "dave"),
        (BUSINESS_HOURS, utc(2027, 6, 11, 16), None),
        # Nights run across midnight and the weekend is covered whole.
        (NIGHTS_AND_WEEKENDS, utc(2026, 12, 11, 23), "erin"),  # Friday night
        (NIGHTS_AND_WEEKENDS, utc(2026, 12, 12, 8, 59), "erin"),  # Saturday morning
        (NIGHTS_AND_WEEKENDS, utc(2026, 12, 13, 23, 59), "erin"),  # Sunday night
        (NIGHTS_AND_WEEKENDS, utc(2026, 12, 14, 0), None),  # Monday 00:00: no window began Sunday
        (NIGHTS_AND_WEEKENDS, utc(2026, 12, 14, 12), None),
        (NIGHTS_AND_WEEKENDS, utc(2026, 12, 15, 3), "erin"),  # Monday night, into Tuesday
    ],
)
def test_a_restricted_layer_has_someone_on_call_only_inside_its_windows(
    plan: Schedule, at: datetime, on_call: str | None
) -> None:
    assert who(plan, at) == on_call


def test_business_hours_leave_the_evenings_and_the_weekend_uncovered() -> None:
    gaps = roster(BUSINESS_HOURS).gaps(utc(2026, 12, 11), utc(2026, 12, 15))
    assert [(g.start, g.end) for g in gaps] == [
        (utc(2026, 12, 11), utc(2026, 12, 11, 9)),
        (utc(2026, 12, 11, 17), utc(2026, 12, 14, 9)),
        (utc(2026, 12, 14, 17), utc(2026, 12, 15)),
    ]


def test_a_later_layer_wins_where_it_has_someone() -> None:
    layered = schedule(
        "UTC",
        {"name": "everyone", "participants": ["alice"], "shift": "1w"},
        {
            "name": "daytime",
            "participants": ["bob"],
            "shift": "1w",
            "restrictions": [{"from": "09:00", "to": "17:00"}],
        },
    )
    assert roster(layered).on_call_at(utc(2026, 12, 9, 12)) == ("bob", "daytime")
    assert roster(layered).on_call_at(utc(2026, 12, 9, 20)) == ("alice", "everyone")


def test_follow_the_sun_three_zones() -> None:
    sun = schedule(
        "UTC",
        {
            "name": "Sydney",
            "time_zone": "Australia/Sydney",
            "participants": ["alice"],
            "shift": "1w",
            "restrictions": [{"from": "08:00", "to": "16:00"}],
        },
        {
            "name": "Berlin",
            "time_zone": "Europe/Berlin",
            "participants": ["bob"],
            "shift": "1w",
            "restrictions": [{"from": "06:00", "to": "14:00"}],
        },
        {
            "name": "New York",
            "time_zone": "America/New_York",
            "participants": ["carol"],
            "shift": "1w",
            "restrictions": [{"from": "08:00", "to": "16:00"}],
        },
    )
    # December: Sydney UTC+11, Berlin UTC+1, New York UTC-5: the three shifts tile the day.
    december = roster(sun).timeline(utc(2026, 12, 9, 5), utc(2026, 12, 10, 5))
    assert [(s.who, s.start) for s in december] == [
        ("bob", utc(2026, 12, 9, 5)),
        ("carol", utc(2026, 12, 9, 13)),
        ("alice", utc(2026, 12, 9, 21)),
    ]
    # June: Sydney UTC+10, Berlin UTC+2, New York UTC-4: they overlap, the later layer wins,
    # and 20:00-22:00 UTC is a gap.
    june = roster(sun).timeline(utc(2027, 6, 9, 4), utc(2027, 6, 10, 4))
    assert [(s.who, s.start) for s in june] == [
        ("bob", utc(2027, 6, 9, 4)),
        ("carol", utc(2027, 6, 9, 12)),
        (None, utc(2027, 6, 9, 20)),
        ("alice", utc(2027, 6, 9, 22)),
    ]


def test_leap_day_is_a_day_like_any_other() -> None:
    daily = schedule(
        "Europe/Berlin",
        {"participants": ["alice", "bob", "carol"], "shift": "1d", "hand_off": "2028-02-27T09:00"},
    )
    shifts = roster(daily).hand_offs(utc(2028, 2, 27, 12), 3)
    assert [(s.who, s.start) for s in shifts] == [
        ("bob", utc(2028, 2, 28, 8)),
        ("carol", utc(2028, 2, 29, 8)),
        ("alice", utc(2028, 3, 1, 8)),
    ]
    tuesday_only = restricted("UTC", "dave", {"days": ["tue"], "from": "00:00", "to": "24:00"})
    assert who(tuesday_only, utc(2028, 2, 29, 12)) == "dave"  # 29 February 2028 is a Tuesday
    assert who(tuesday_only, utc(2028, 3, 1, 0)) is None


def test_a_dated_hand_off_starts_the_rotation() -> None:
    dated = schedule(
        "Europe/Berlin",
        {"participants": ["bob", "alice"], "shift": "1w", "hand_off": "2026-12-07T09:00"},
    )
    assert who(dated, utc(2026, 12, 7, 7, 59)) is None
    assert who(dated, utc(2026, 12, 7, 8)) == "bob"
    assert who(dated, utc(2026, 12, 14, 8)) == "alice"
    assert who(dated, utc(2026, 12, 21, 8)) == "bob"


def test_overrides_win_and_the_newest_wins_where_they_overlap() -> None:
    def override(who: str, start: datetime, end: datetime, set_at: datetime) -> Override:
        return Override.model_validate(
            {"schedule": "team", "who": who, "from": start, "to": end, "set_at": set_at}
        )

    swaps = [
        override("dave", utc(2026, 12, 8), utc(2026, 12, 10), set_at=utc(2026, 12, 1)),
        override("erin", utc(2026, 12, 9), utc(2026, 12, 9, 12), set_at=utc(2026, 12, 2)),
        override("frank", utc(2026, 12, 8), utc(2026, 12, 12), set_at=utc(2026, 11, 30)),
        Override.model_validate(
            {
                "schedule": "other",
                "who": "bob",
                "from": utc(2026, 12, 1),
                "to": utc(2027, 1, 1),
                "set_at": utc(2026, 12, 3),
            }
        ),
    ]
    week = roster(WEEKLY_BERLIN, overrides=swaps).timeline(utc(2026, 12, 7, 12), utc(2026, 12, 13))
    assert [(s.who, s.source, s.start) for s in week] == [
        ("alice", "layer 1", utc(2026, 12, 7, 12)),
        ("dave", "override", utc(2026, 12, 8)),
        ("erin", "override", utc(2026, 12, 9)),
        ("dave", "override", utc(2026, 12, 9, 12)),
        ("frank", "override", utc(2026, 12, 10)),
        ("alice", "layer 1", utc(2026, 12, 12)),
    ]


def test_calendar_layer_takes_the_event_that_started_last() -> None:
    on_calendar = schedule("UTC", {"calendar": "oncall.ics"})
    events = {
        0: [
            CalendarShift(who="alice", start=utc(2026, 12, 7, 9), end=utc(2026, 12, 7, 17)),
            CalendarShift(who="bob", start=utc(2026, 12, 7, 12), end=utc(2026, 12, 7, 13)),
        ]
    }
    day = roster(on_calendar, calendars=events).timeline(utc(2026, 12, 7), utc(2026, 12, 8))
    assert [(s.who, s.start) for s in day] == [
        (None, utc(2026, 12, 7)),
        ("alice", utc(2026, 12, 7, 9)),
        ("bob", utc(2026, 12, 7, 12)),
        ("alice", utc(2026, 12, 7, 13)),
        (None, utc(2026, 12, 7, 17)),
    ]


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        roster(WEEKLY_BERLIN).on_call_at(datetime(2026, 12, 7, 9))


def test_a_hand_off_with_an_offset_is_that_instant_then_wall_clock() -> None:
    # 08:00Z is 09:00 in Berlin in December; in summer the hand-off stays at 09:00 Berlin time.
    dated = schedule(
        "Europe/Berlin",
        {"participants": ["bob", "alice"], "shift": "1w", "hand_off": "2026-12-07T08:00:00Z"},
    )
    assert who(dated, utc(2026, 12, 7, 8)) == "bob"
    summer = roster(dated).hand_offs(utc(2027, 6, 1), 1)[0]
    assert (summer.start, summer.who) == (utc(2027, 6, 7, 7), "bob")  # 26 weeks on: bob again
