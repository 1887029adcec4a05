"""Durations as the policy writes them: short forms, ISO 8601, and the way back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from escalation.durations import Duration, format_duration

DURATION: TypeAdapter[timedelta] = TypeAdapter(Duration)


def parse(value: object) -> timedelta:
    return DURATION.validate_python(value)


def rejection(value: object) -> str:
    with pytest.raises(ValidationError) as caught:
        parse(value)
    return caught.value.errors()[0]["msg"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("4h", timedelta(hours=4)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("1.5h", timedelta(minutes=90)),
        (" 15m ", timedelta(minutes=15)),
        ("PT15M", timedelta(minutes=15)),
        ("P1D", timedelta(days=1)),
    ],
)
def test_parses_short_and_iso_forms(text: str, expected: timedelta) -> None:
    assert parse(text) == expected


def test_accepts_a_timedelta_as_is() -> None:
    assert parse(timedelta(minutes=5)) == timedelta(minutes=5)


@pytest.mark.parametrize("text", ["0m", "0s", "PT0S"])
def test_zero_is_rejected_as_not_positive(text: str) -> None:
    assert "must be a positive duration such as 15m" in rejection(text)


@pytest.mark.parametrize("value", ["-5m", "-PT5M"])
def test_negative_text_is_rejected_with_the_expected_forms(value: str) -> None:
    message = rejection(value)
    assert "expected a duration such as 30s, 15m, 4h, 1d or PT15M" in message
    assert repr(value) in message


def test_negative_number_of_seconds_is_rejected_as_not_positive() -> None:
    assert "must be a positive duration" in rejection(-5)


def test_a_word_is_rejected_naming_the_value() -> None:
    assert rejection("soon") == (
        "Value error, expected a duration such as 30s, 15m, 4h, 1d or PT15M, got 'soon'"
    )


def test_an_unknown_unit_is_rejected() -> None:
    assert "expected a duration such as" in rejection("15y")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(seconds=30), "30s"),
        (timedelta(seconds=90), "90s"),
        (timedelta(minutes=15), "15m"),
        (timedelta(hours=3, minutes=36), "216m"),
        (timedelta(hours=4), "4h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=14), "2w"),
    ],
)
def test_format_uses_the_largest_exact_unit(value: timedelta, text: str) -> None:
    assert format_duration(value) == text


@pytest.mark.parametrize(
    "value",
    [
        timedelta(seconds=1),
        timedelta(seconds=45),
        timedelta(minutes=15),
        timedelta(hours=3, minutes=36),
        timedelta(hours=4),
        timedelta(days=3),
        timedelta(weeks=1),
        timedelta(days=1, seconds=1),
        timedelta(milliseconds=1500),
        timedelta(milliseconds=250),
        timedelta(microseconds=50),
        timedelta(seconds=3, microseconds=1),
    ],
)
def test_format_round_trips_through_the_parser(value: timedelta) -> None:
    assert parse(format_duration(value)) == value


def test_duration_serializes_to_the_short_form() -> None:
    assert DURATION.dump_python(timedelta(minutes=15)) == "15m"
    assert DURATION.dump_json(timedelta(hours=4)) == b'"4h"'
