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


SECRET = "s3cr3t-feed-token"
"""A private calendar link's token: it must appear in no error, policy or snapshot."""


def test_a_private_feed_is_read_from_the_environment_and_never_shown(
    feed_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`env:NAME`: the policy (and so its snapshot in every incident's history) holds the
    variable's name; the worker reads the link from its environment."""
    policy = policy_with_calendar("env:DATABASE_ONCALL_ICS")
    assert policy.schedules["db"].layers[0].calendar == "env:DATABASE_ONCALL_ICS"
    start, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)

    monkeypatch.setenv("DATABASE_ONCALL_ICS", f"{feed_server}/{FEED.name}?token={SECRET}")
    private = schedule_calendars(policy, "db", tmp_path, start, end)
    public = schedule_calendars(policy_with_calendar(str(FEED)), "db", tmp_path, start, end)
    assert private.shifts == public.shifts and len(private.shifts[0]) == 18
    assert SECRET not in policy.model_dump_json()

    monkeypatch.setenv("DATABASE_ONCALL_ICS", f"{feed_server}/gone.ics?token={SECRET}")
    with pytest.raises(CalendarUnavailable) as missing:
        schedule_calendars(policy, "db", tmp_path, start, end)
    assert str(missing.value) == ("cannot read the feed in $DATABASE_ONCALL_ICS: HTTP 404")
    monkeypatch.setenv("DATABASE_ONCALL_ICS", f"http://127.0.0.1:1/{SECRET}.ics")
    with pytest.raises(CalendarUnavailable, match=r"in \$DATABASE_ONCALL_ICS: ConnectionError$"):
        read_feed("env:DATABASE_ONCALL_ICS", tmp_path)
    monkeypatch.setenv("DATABASE_ONCALL_ICS", str(tmp_path / f"{SECRET}.ics"))
    with pytest.raises(CalendarUnavailable, match=r"\$DATABASE_ONCALL_ICS: No such file"):
        read_feed("env:DATABASE_ONCALL_ICS", tmp_path)
    monkeypatch.delenv("DATABASE_ONCALL_ICS")
    with pytest.raises(CalendarUnavailable, match="DATABASE_ONCALL_ICS must hold the calendar"):
        read_feed("env:DATABASE_ONCALL_ICS", tmp_path)


@pytest.mark.parametrize("source", ["env:", "env:database-oncall", "env:$X"])
def test_an_environment_source_must_name_a_variable(source: str) -> None:
    with pytest.raises(ValueError, match="expected env: and an environment variable's name"):
        policy_with_calendar(source)
