"""Properties of business time over random calendars, zones, instants and pauses.

- adding business time and measuring it back gives the same amount;
- the due time moves forward with the amount, and a pause never brings it earlier.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from escalation.business_time import add_business_time, business_time_between
from escalation.calendars import BusinessCalendar
from tests.escalation.weekly_strategies import clocks, instants, reproducible, weekly_windows

ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
checked = reproducible(150)
clock = clocks([0, 30])
calendars = st.builds(
    lambda zone, hours, holidays: BusinessCalendar.model_validate(
        {"time_zone": zone, "hours": hours, "holidays": holidays}
    ),
    st.sampled_from(ZONES),
    st.lists(weekly_windows(clock), min_size=1, max_size=3),
    st.lists(st.dates(min_value=date(2025, 1, 1), max_value=date(2031, 1, 31)), max_size=10),
)
amounts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20))
pauses = st.lists(
    st.tuples(instants, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5))).map(
        lambda pair: (pair[0], pair[0] + pair[1])
    ),
    max_size=3,
)


@checked
@given(calendars | st.none(), instants, amounts, pauses)
def test_adding_then_measuring_round_trips(
    calendar: BusinessCalendar | None,
    start: datetime,
    amount: timedelta,
    paused: list[tuple[datetime, datetime]],
) -> None:
    due = add_business_time(start, amount, calendar, paused)
    assert due >= start
    assert business_time_between(start, due, calendar, paused) == amount


@checked
@given(calendars, instants, amounts, amounts, pauses)
def test_due_time_grows_with_the_amount_and_pauses_only_delay_it(
    calendar: BusinessCalendar,
    start: datetime,
    first: timedelta,
    second: timedelta,
    paused: list[tuple[datetime, datetime]],
) -> None:
    shorter, longer = sorted((first, second))
    assert add_business_time(start, shorter, calendar) <= add_business_time(start, longer, calendar)
    assert add_business_time(start, longer, calendar) <= add_business_time(
        start, longer, calendar, paused
    )
