"""Calendars and client contracts in the policy: loaded, expanded, and every mistake named."""

from __future__ import annotations

from datetime import date, timedelta

from escalation.calendars import OFFICE_HOURS
from escalation.policy_loader import parse_policy
from tests.escalation.test_policy_loader import BASE, mistake_tests

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


NAMED_AT_LINE = {
    "unknown calendar": (
        "calendar: london-office",
        "calendar: london",
        "clients.globex.contract.calendar: unknown calendar 'london' "
        "(one of: 24x7, london-office, plain)",
        "calendar: london",
    ),
    "unknown severity in a contract": (
        "medium: {ack_within: 4h, resolve_within: 3d}",
        "low: {ack_within: 4h}",
        "clients.globex.contract.severities.low: unknown severity 'low' (one of: critical, medium)",
        "low: {ack_within",
    ),
    "bad target duration": (
        "resolve_within: 8h}",
        "resolve_within: soon}",
        "clients.globex.contract.severities.critical.resolve_within: expected a duration such as "
        "30s, 15m, 4h, 1d or PT15M, got 'soon'",
        "resolve_within: soon",
    ),
    "unknown country": (
        "country: GB",
        "country: XX",
        "calendars.london-office.country: unknown country 'XX' (an ISO 3166 code such as GB or US)",
        "country: XX",
    ),
    "unknown subdivision": (
        "subdivision: ENG",
        "subdivision: KENT",
        "calendars.london-office.subdivision: unknown subdivision 'KENT' of GB "
        "(one of: ENG, NIR, SCT, WLS)",
        "subdivision: KENT",
    ),
    "the built-in calendar name is reserved": (
        "  plain: {",
        "  24x7: {",
        "calendars.24x7: 24x7 is built in (every hour); name this calendar otherwise",
        "24x7: {",
    ),
}

NAMED = {
    "empty terms": (
        "critical: {resolve_within: 8h}",
        "critical: {}",
        "clients.globex.contract.severities.critical: set at least one",
    ),
    "unknown time zone": (
        "time_zone: Europe/London",
        "time_zone: Europe/Londres",
        "calendars.london-office.time_zone: unknown time zone 'Europe/Londres'",
    ),
    "bad hours": (
        'to: "18:00"',
        'to: "25:00"',
        "calendars.london-office.hours[0].to: expected a time of day",
    ),
}


test_a_mistake_is_named_with_its_path_and_line, test_a_mistake_is_named_with_its_path = (
    mistake_tests(CONTRACTS, NAMED_AT_LINE, NAMED)
)
