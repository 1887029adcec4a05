"""Business-time arithmetic on fixed clocks: weekends, holidays, DST, out-of-hours, pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from escalation.business_time import add_business_time, business_time_between, next_opening
from escalation.calendars import BusinessCalendar

LONDON = BusinessCalendar(time_zone="Europe/London")
"""Monday to Friday 09:00-17:00, the default hours."""
HOURS = timedelta(hours=1)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_eight_business_hours_from_friday_afternoon_end_on_monday() -> None:
    # One hour on Friday (16:00-17:00), seven on Monday from 09:00.
    assert add_business_time(at(2026, 12, 4, 16), 8 * HOURS, LONDON) == at(2026, 12, 7, 16)


def test_time_running_out_at_closing_ends_at_closing() -> None:
    assert add_business_time(at(2026, 12, 4, 9), 8 * HOURS, LONDON) == at(2026, 12, 4, 17)


def test_opened_outside_hours_starts_at_the_next_opening() -> None:
    saturday = at(2026, 12, 5, 11)
    assert next_opening(saturday, LONDON) == at(2026, 12, 7, 9)
    assert add_business_time(saturday, 30 * timedelta(minutes=1), LONDON) == at(2026, 12, 7, 9, 30)
    assert add_business_time(at(2026, 12, 8, 20), HOURS, LONDON) == at(2026, 12, 9, 10)


def test_holidays_close_the_calendar() -> None:
    christmas = LONDON.model_copy(update={"holidays": [date(2026, 12, 24), date(2026, 12, 25)]})
    # Wednesday 23rd 16:00: one hour, then Thursday and Friday are holidays, the weekend too.
    due = add_business_time(at(2026, 12, 23, 16), 2 * HOURS, christmas)
    assert due == at(2026, 12, 28, 10)
    assert business_time_between(at(2026, 12, 23, 16), due, christmas) == 2 * HOURS


def test_public_holidays_count_like_written_ones() -> None:
    expanded = LONDON.model_copy(update={"public_holidays": [date(2026, 12, 25)]})
    assert add_business_time(at(2026, 12, 24, 16), 2 * HOURS, expanded) == at(2026, 12, 28, 10)


def test_working_day_stays_nine_to_five_across_daylight_saving() -> None:
    # British Summer Time starts Sunday 2026-03-29: Monday 09:00 local is 08:00 UTC.
    friday = at(2026, 3, 27, 16)
    assert add_business_time(friday, 8 * HOURS, LONDON) == at(2026, 3, 30, 15)
    assert business_time_between(friday, at(2026, 3, 30, 15), LONDON) == 8 * HOURS


def test_the_short_night_of_the_autumn_change_counts_its_real_length() -> None:
    night = BusinessCalendar.model_validate(
        {"time_zone": "Europe/London", "hours": [{"days": ["sat"], "from": "22:00", "to": "06:00"}]}
    )
    # 2026-10-25 01:00 BST becomes 01:00 GMT: 22:00 BST to 06:00 GMT is nine real hours.
    start = at(2026, 10, 24, 21)
    assert business_time_between(start, at(2026, 10, 25, 12), night) == 9 * HOURS


def test_a_pause_over_the_weekend_takes_only_the_business_time_it_covers() -> None:
    start = at(2026, 12, 4, 9)  # Friday
    pause = (at(2026, 12, 4, 15), at(2026, 12, 7, 11))  # Friday 15:00 to Monday 11:00
    assert business_time_between(start, at(2026, 12, 7, 17), LONDON, [pause]) == 12 * HOURS
    # 8h of work: six on Friday before the pause, two on Monday after it.
    assert add_business_time(start, 8 * HOURS, LONDON, [pause]) == at(2026, 12, 7, 13)


def test_twenty_four_seven_is_wall_time_less_pauses() -> None:
    start = at(2026, 12, 5, 23)
    assert add_business_time(start, 4 * HOURS, None) == at(2026, 12, 6, 3)
    pause = (at(2026, 12, 6, 0), at(2026, 12, 6, 2))
    assert add_business_time(start, 4 * HOURS, None, [pause]) == at(2026, 12, 6, 5)
    assert business_time_between(start, at(2026, 12, 6, 5), None, [pause]) == 4 * HOURS


def test_measuring_backwards_is_zero_and_adding_negative_is_refused() -> None:
    assert business_time_between(at(2026, 12, 7, 12), at(2026, 12, 7, 10), LONDON) == timedelta(0)
    with pytest.raises(ValueError, match="negative"):
        add_business_time(at(2026, 12, 7, 12), -HOURS, LONDON)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        add_business_time(datetime(2026, 12, 7, 12), HOURS, LONDON)
