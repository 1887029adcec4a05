"""Business calendars as the policy writes them: a zone, weekly working hours and holidays.

A contract counts its SLAs on one of these (`escalation.business_time` does the arithmetic);
`24x7`, the implicit default, counts every hour. A calendar's `country` public holidays are
expanded into dates when the policy loads, so an incident's snapshot holds every date it
counts on and a newer `holidays` release cannot change a running incident's due times.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from escalation.schedules import WEEKDAYS, Restriction, TimeZoneName, _ScheduleModel

ALWAYS = "24x7"
"""The built-in calendar that counts every hour of every day; what a contract uses by default."""

OFFICE_HOURS = Restriction.model_validate({"days": list(WEEKDAYS[:5]), "from": 540, "to": 1020})
"""Monday to Friday 09:00-17:00, a calendar's hours when it names none."""


class BusinessCalendar(_ScheduleModel):
    """When SLA clocks run: working hours in a zone, minus holidays."""

    time_zone: TimeZoneName = Field(description="IANA zone of the hours, such as Europe/London")
    hours: list[Restriction] = Field(
        default=[OFFICE_HOURS],
        min_length=1,
        description="Working windows (`{days, from, to}`); Monday to Friday 09:00-17:00 if unset",
    )
    holidays: list[date] = Field(default=[], description="Dates on which no window opens")
    country: str | None = Field(
        None, description="ISO 3166 country whose public holidays also close the calendar"
    )
    subdivision: str | None = Field(
        None, description="State or province of `country`, such as CA for California"
    )
    public_holidays: list[date] = Field(
        default=[],
        description="Filled in from `country` when the policy loads; not written by hand",
    )

    def closed_on(self) -> frozenset[date]:
        """Every date on which no working window opens."""
        return frozenset(self.holidays) | frozenset(self.public_holidays)
