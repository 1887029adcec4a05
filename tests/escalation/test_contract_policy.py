"""Calendars and client contracts in the policy: loaded, expanded, and every mistake named."""

from __future__ import annotations

from datetime import date, timedelta

from escalation.calendars import OFFICE_HOURS
from escalation.policy_loader import parse_policy
from tests.escalation.test_policy_loader import BASE, line_of, problems

CONTRACTS = (
    BASE
    + """\
calendars:
  london-office:
    time_zone: Europe/London
    hours: [{days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00"}]
    holidays: [2026-12-24]
    country: GB
    subdivision: ENG
  plain: {time_zone: America/New_York}
clients:
  acme:
    name: ACME Corp
    contacts: [{email: ops@acme.example}]
    contract:
      name: Gold
      severities:
        critical: {ack_within: 15m, resolve_within: 4h, updates_every: 30m}
  globex:
    name: Globex
    contacts: [{email: noc@globex.example}]
    contract:
      name: Standard
      calendar: london-office
      max_pause: 2d
      severities:
        critical: {resolve_within: 8h}
        medium: {ack_within: 4h, resolve_within: 3d}
"""
)
TODAY = date(2026, 12, 2)


def test_contracts_and_calendars_load() -> None:
    policy = parse_policy(CONTRACTS, today=TODAY)
    gold = policy.clients["acme"].contract
    assert gold is not None
    assert gold.calendar == "24x7"
    assert gold.max_pause == timedelta(days=3)
    assert gold.severities["critical"].updates_every == timedelta(minutes=30)
    standard = policy.clients["globex"].contract
    assert standard is not None
    assert standard.calendar == "london-office"
    assert standard.severities["critical"].ack_within is None
    assert policy.calendars["plain"].hours == [OFFICE_HOURS]


def test_public_holidays_are_expanded_around_the_load_date() -> None:
    office = parse_policy(CONTRACTS, today=TODAY).calendars["london-office"]
    assert date(2026, 12, 25) in office.public_holidays  # Christmas Day
    assert date(2026, 12, 28) in office.public_holidays  # Boxing Day, observed on Monday
    assert date(2029, 12, 25) in office.public_holidays
    assert date(2024, 12, 25) not in office.public_holidays
    assert date(2026, 12, 24) in office.closed_on()
    assert parse_policy(CONTRACTS, today=TODAY).calendars["plain"].public_holidays == []


def test_unknown_calendar_names_the_client_value_and_line() -> None:
    text = CONTRACTS.replace("calendar: london-office", "calendar: london")
    assert problems(text) == [
        "clients.globex.contract.calendar: unknown calendar 'london' "
        f"(one of: 24x7, london-office, plain) (line {line_of(text, 'calendar: london')})"
    ]


def test_unknown_severity_in_a_contract_is_named() -> None:
    text = CONTRACTS.replace(
        "medium: {ack_within: 4h, resolve_within: 3d}", "low: {ack_within: 4h}"
    )
    assert problems(text) == [
        "clients.globex.contract.severities.low: unknown severity 'low' (one of: critical, "
        f"medium) (line {line_of(text, 'low: {ack_within')})"
    ]


def test_bad_target_duration_names_the_key_and_value() -> None:
    text = CONTRACTS.replace("resolve_within: 8h}", "resolve_within: soon}")
    [problem] = problems(text)
    assert problem.startswith("clients.globex.contract.severities.critical.resolve_within: ")
    assert "'soon'" in problem
    assert problem.endswith(f"(line {line_of(text, 'resolve_within: soon')})")


def test_empty_terms_are_refused() -> None:
    text = CONTRACTS.replace("critical: {resolve_within: 8h}", "critical: {}")
    [problem] = problems(text)
    assert problem.startswith("clients.globex.contract.severities.critical: set at least one")


def test_unknown_country_and_subdivision_are_named() -> None:
    text = CONTRACTS.replace("country: GB", "country: XX")
    assert problems(text) == [
        "calendars.london-office.country: unknown country 'XX' (an ISO 3166 code such as GB or "
        f"US) (line {line_of(text, 'country: XX')})"
    ]
    text = CONTRACTS.replace("subdivision: ENG", "subdivision: KENT")
    assert problems(text) == [
        "calendars.london-office.subdivision: unknown subdivision 'KENT' of GB (one of: ENG, NIR,"
        f" SCT, WLS) (line {line_of(text, 'subdivision: KENT')})"
    ]


def test_bad_zone_and_hours_are_named() -> None:
    text = CONTRACTS.replace("time_zone: Europe/London", "time_zone: Europe/Londres")
    [problem] = problems(text)
    assert problem.startswith(
        "calendars.london-office.time_zone: unknown time zone 'Europe/Londres'"
    )
    text = CONTRACTS.replace('to: "18:00"', 'to: "25:00"')
    [problem] = problems(text)
    assert problem.startswith("calendars.london-office.hours[0].to: expected a time of day")


def test_the_built_in_calendar_name_is_reserved() -> None:
    text = CONTRACTS.replace("  plain: {", "  24x7: {")
    assert problems(text) == [
        "calendars.24x7: 24x7 is built in (every hour); name this calendar otherwise "
        f"(line {line_of(text, '24x7: {')})"
    ]
