"""`schedules:` in the policy: what loads, and every mistake named with key, value and line."""

from __future__ import annotations

import pytest

from escalation.policy import Policy
from escalation.policy_loader import PolicyInvalid, parse_policy
from tests.escalation.test_policy_loader import BASE, line_of, replace_once

SCHEDULES = """\
schedules:
  primary:
    time_zone: Europe/Berlin
    layers:
      - {name: weekly, participants: [alice, bob], shift: 1w, hand_off: Mon 09:00}
      - name: business hours
        participants: [erin]
        shift: 1d
        restrictions:
          - {days: [mon, tue, wed, thu, fri], from: "09:00", to: 17:00}
  nights:
    time_zone: America/New_York
    layers:
      - participants: [bob]
        shift: 12h
        hand_off: 2026-12-07T20:00
        restrictions: [{days: [Monday, friday], from: "20:00", to: "08:00"}]
"""

WITH_SCHEDULES = (
    replace_once(
        BASE,
        "  - {name: One, contacts: [alice], escalate_after: 10m}",
        "  - {name: One, contacts: [alice], schedule: primary, escalate_after: 10m}",
    )
    + SCHEDULES
)


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(text, source="test.yaml")
    return caught.value.problems


def test_schedules_load_and_tiers_name_them() -> None:
    policy = parse_policy(WITH_SCHEDULES)
    assert policy.tiers[0].schedule == "primary"
    primary = policy.schedules["primary"]
    assert primary.layers[1].restrictions[0].start == 9 * 60
    assert primary.layers[1].restrictions[0].end == 17 * 60  # YAML's base-60 1020, the same
    nights = policy.schedules["nights"].layers[0].restrictions[0]
    assert (nights.days, nights.length_minutes) == (["mon", "fri"], 12 * 60)
    assert parse_policy(BASE).schedules == {}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "time_zone: Europe/Berlin",
            "time_zone: Europe/Berlinn",
            "schedules.primary.time_zone: unknown time zone 'Europe/Berlinn'",
        ),
        (
            "participants: [alice, bob]",
            "participants: [alice, bobb]",
            "schedules.primary.layers[0].participants[1]: unknown contact 'bobb'",
        ),
        (
            "schedule: primary",
            "schedule: primry",
            "tiers[0].schedule: unknown schedule 'primry' (one of: primary, nights)",
        ),
        (
            "to: 17:00}",
            "to: '25:00'}",
            "schedules.primary.layers[1].restrictions[0].to: expected a time of day from 00:00 to "
            "24:00, got '25:00'",
        ),
        (
            "days: [Monday, friday]",
            "days: [Monday, funday]",
            "schedules.nights.layers[0].restrictions[0].days[1]: expected a weekday such as mon or "
            "Monday, got 'funday'",
        ),
        (
            "hand_off: Mon 09:00",
            "hand_off: Mon 9 o'clock",
            "schedules.primary.layers[0].hand_off: expected a hand-off such as `Mon 09:00`",
        ),
        (
            "shift: 12h",
            "shift: soon",
            "schedules.nights.layers[0].shift: expected a duration such as 30s",
        ),
        (
            "        shift: 1d\n",
            "",
            "schedules.primary.layers[1]: a rotation needs a `shift` length such as 1w, 1d or 8h",
        ),
    ],
)
def test_mistakes_name_key_value_and_line(old: str, new: str, expected: str) -> None:
    text = replace_once(WITH_SCHEDULES, old, new)
    (problem,) = problems(text)
    assert problem.startswith(expected), problem
    needle = new.strip() or "- name: business hours"
    assert problem.endswith(f"(line {line_of(text, needle)})"), problem


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        (
            "ftp://example.com/oncall.ics",
            "schedules.nights.layers[0].calendar: a calendar URL must be http:// or https://, "
            "got 'ftp://example.com/oncall.ics'",
        ),
        (
            "https://example.com/oncall.ics",
            "schedules.nights.layers[0]: a layer is a rotation (participants, shift) or a "
            "calendar, not both",
        ),
    ],
)
def test_a_layer_is_a_rotation_or_a_calendar(calendar: str, expected: str) -> None:
    text = replace_once(
        WITH_SCHEDULES,
        "      - participants: [bob]\n",
        f"      - calendar: {calendar}\n        participants: [bob]\n",
    )
    assert problems(text) == [f"{expected} (line {line_of(text, calendar)})"]


def test_a_tier_may_name_only_a_schedule() -> None:
    text = replace_once(
        WITH_SCHEDULES, "{name: One, contacts: [alice], schedule:", "{name: One, schedule:"
    )
    tier = parse_policy(text).tiers[0]
    assert tier.contacts == [] and tier.schedule


def test_a_tier_names_contacts_or_a_schedule() -> None:
    text = replace_once(
        WITH_SCHEDULES, "{name: One, contacts: [alice], schedule: primary,", "{name: One,"
    )
    assert problems(text) == [
        "tiers[0]: a tier pages `contacts`, a `schedule`, or both; it names neither "
        f"(line {line_of(text, '{name: One,')})"
    ]


def test_schedules_survive_the_snapshot_round_trip() -> None:
    """The policy crosses workflow history as JSON; schedules must come back equal."""
    policy = parse_policy(WITH_SCHEDULES)
    assert Policy.model_validate_json(policy.model_dump_json()) == policy


def test_hand_off_notices_are_asked_per_schedule_and_checked() -> None:
    asked = replace_once(
        WITH_SCHEDULES,
        "    time_zone: Europe/Berlin\n",
        "    time_zone: Europe/Berlin\n    notify_handoffs: true\n",
    )
    policy = parse_policy(asked)
    assert policy.schedules["primary"].notify_handoffs
    assert not policy.schedules["nights"].notify_handoffs  # off unless asked
    wrong = asked.replace("notify_handoffs: true", "notify_handoffs: weekly")
    (problem,) = problems(wrong)
    assert "schedules.primary.notify_handoffs" in problem
    assert f"line {line_of(wrong, 'notify_handoffs')}" in problem
