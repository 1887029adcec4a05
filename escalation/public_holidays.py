"""Expands a calendar's `country` into dates when the policy loads, using the `holidays` package.

Done once at load (by the loader, outside workflow code), so the policy snapshot an incident
records lists every date: replaying it never depends on which `holidays` release is installed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from escalation.calendars import BusinessCalendar

YEARS_BEHIND = 1
YEARS_AHEAD = 3
"""Years expanded around the load date: enough for any incident and its reports."""
SUBDIVISIONS_SHOWN = 12
"""Subdivisions named in a problem; the United States alone has over fifty."""


def holiday_years(today: date) -> range:
    """The years whose public holidays a policy loaded on `today` lists."""
    return range(today.year - YEARS_BEHIND, today.year + YEARS_AHEAD + 1)


def expand(
    calendars: dict[str, BusinessCalendar], years: Iterable[int]
) -> tuple[dict[str, BusinessCalendar], list[tuple[str, str]]]:
    """Calendars with their public holidays filled in, and (key path, problem) for bad ones."""
    years = list(years)
    expanded: dict[str, BusinessCalendar] = {}
    problems: list[tuple[str, str]] = []
    for key, calendar in calendars.items():
        expanded[key] = calendar
        if calendar.country is None:
            if calendar.subdivision is not None:
                problems.append((f"calendars.{key}.subdivision", "a subdivision needs `country`"))
            continue
        problem = _unknown(calendar)
        if problem is not None:
            problems.append((f"calendars.{key}.{problem[0]}", problem[1]))
            continue
        import holidays  # noqa: PLC0415 - only a calendar with a country needs it

        found = holidays.country_holidays(
            calendar.country, subdiv=calendar.subdivision, years=years
        )
        dates = sorted(found.keys())
        expanded[key] = calendar.model_copy(update={"public_holidays": dates})
    return expanded, problems


def _unknown(calendar: BusinessCalendar) -> tuple[str, str] | None:
    """(field, problem) when the country or its subdivision is not one `holidays` knows."""
    import holidays  # noqa: PLC0415 - as in `expand`

    supported = holidays.list_supported_countries()
    country = str(calendar.country)
    if country not in supported:
        return "country", f"unknown country {country!r} (an ISO 3166 code such as GB or US)"
    if calendar.subdivision is not None and calendar.subdivision not in supported[country]:
        known = supported[country]
        shown = ", ".join(known[:SUBDIVISIONS_SHOWN]) + (
            "..." if len(known) > SUBDIVISIONS_SHOWN else ""
        )
        return (
            "subdivision",
            f"unknown subdivision {calendar.subdivision!r} of {country} (one of: {shown or 'none'})",
        )
    return None
