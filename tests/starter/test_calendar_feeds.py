"""Calendar feeds read the way `escalation oncall` reads them: from a file and over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from activities.calendar_feeds import CalendarUnavailable, read_feed, schedule_calendars
from escalation.policy import Policy
from escalation.policy_loader import load_policy
from escalation.schedules import Schedule
from tests.starter.conftest import FIXTURES

FEED = FIXTURES / "database-oncall.ics"
EXAMPLE_POLICY = Path(__file__).resolve().parents[2] / "examples" / "policy.yaml"


def policy_with_calendar(source: str) -> Policy:
    """The example policy with a schedule `db` whose only layer is the calendar `source`."""
    db = Schedule.model_validate({"time_zone": "Europe/Berlin", "layers": [{"calendar": source}]})
    return load_policy(EXAMPLE_POLICY).model_copy(update={"schedules": {"db": db}})


def test_a_relative_path_is_read_from_the_policy_folder() -> None:
    policy = policy_with_calendar(FEED.name)
    calendars = schedule_calendars(
        policy,
        "db",
        FIXTURES,
        datetime(2026, 12, 14, tzinfo=UTC),
        datetime(2026, 12, 15, tzinfo=UTC),
    )
    assert [(s.who, s.start.astimezone(UTC).hour) for s in calendars.shifts[0]] == [("carol", 8)]


def test_a_feed_fetched_over_http_gives_the_same_shifts(feed_server: str) -> None:
    assert read_feed(f"{feed_server}/{FEED.name}", Path("/nonexistent")) == FEED.read_bytes()
    start, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    fetched = schedule_calendars(
        policy_with_calendar(f"{feed_server}/{FEED.name}"),
        "db",
        Path("/nonexistent"),
        start,
        end,
    )
    from_file = schedule_calendars(
        policy_with_calendar(str(FEED)), "db", Path("/nonexistent"), start, end
    )
    assert fetched.shifts == from_file.shifts
    assert len(fetched.shifts[0]) == 18  # carol Mon-Wed less one EXDATE, dave Thu-Fri
    assert fetched.unnamed == [
        "schedules.db.layers[0]: event names no contact: Team offsite (2026-12-19T00:00:00+01:00)"
    ]


def test_a_missing_feed_is_one_clear_error(feed_server: str, tmp_path: Path) -> None:
    with pytest.raises(CalendarUnavailable, match=r"cannot fetch http://.*/missing\.ics: 404"):
        read_feed(f"{feed_server}/missing.ics", tmp_path)
    with pytest.raises(CalendarUnavailable, match=r"cannot read .*missing\.ics: No such file"):
        read_feed("missing.ics", tmp_path)
