"""The archive on SQLite and on a real PostgreSQL: migrations, upserts, reads."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, select

from activities.archive.database import SCHEMA_REVISION, Archive, _create_engine, migrate
from activities.archive.migrating import head_revision
from activities.archive.reads import IncidentQuery, find_incident, find_incidents, find_reviews
from activities.archive.tables import (
    ActionItemRow,
    Base,
    FeedbackRow,
    IncidentClientRow,
    IncidentRow,
    NotificationRow,
    ReviewRow,
    TimelineRow,
)
from activities.archive.writes import (
    INCIDENTS,
    REVIEWS,
    incident_row,
    record_incident,
    record_review,
)
from escalation.archive import log_version
from escalation.commands import Acknowledge
from escalation.environment import SettingInvalid, database_url_setting
from escalation.incident import IncidentState
from escalation.policy import Policy
from tests.escalation.report_scenario import (
    act,
    at,
    checkout_review,
    critical_checkout,
    open_incident,
)
from tests.processes import ROOT


def count(archive: Archive, model: type) -> int:
    with archive.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def test_migrations_from_empty_reach_the_models(archive: Archive) -> None:
    engine = archive.engine  # first use migrates
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []


def test_the_schema_revision_is_alembics_head() -> None:
    """A new migration must move SCHEMA_REVISION too, or every first use would run Alembic."""
    assert head_revision() == SCHEMA_REVISION


def test_a_worker_on_a_current_schema_never_loads_alembic(tmp_path: Path) -> None:
    """Alembic is a quarter of a second of start-up: a worker imports without it, and a
    database already at the head is used without it (checked in a fresh interpreter)."""
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    migrate(_create_engine(Archive(url).url))  # as an earlier worker would have
    script = (
        "import sys\n"
        "import worker.runner\n"
        "from activities.archive.database import Archive\n"
        f"assert Archive({url!r}).engine is not None\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert ran.stdout.strip() == "[]"


def test_migration_from_the_previous_schema_keeps_and_splits_the_rows(
    archive_url: str, example_policy: Policy
) -> None:
    incident = critical_checkout(example_policy)
    review = checkout_review(incident)
    engine = _create_engine(Archive(archive_url).url)
    migrate(engine, "0001")
    with engine.begin() as connection:  # written by the code of revision 0001
        connection.execute(insert(INCIDENTS), incident_row(incident, log_version(incident)))
        connection.execute(
            insert(REVIEWS),
            {
                "review_id": review.review_id,
                "incident_id": review.incident_id,
                "version": log_version(review),
                "owner": review.owner,
                "status": review.status,
                "opened_at": review.opened_at,
                "due_at": review.due_at,
                "state": review.model_dump(mode="json"),
                "archived_at": review.opened_at,
            },
        )
    engine.dispose()
    archive = Archive(archive_url)
    try:
        assert find_incident(archive.engine, "checkout") == incident
        assert count(archive, TimelineRow) == len(incident.timeline)
        assert count(archive, NotificationRow) == len(incident.notifications)
        assert count(archive, IncidentClientRow) == 1
        assert count(archive, ActionItemRow) == 2
        assert count(archive, FeedbackRow) == len(review.feedback)
        assert find_incidents(archive.engine, IncidentQuery(client="acme")) == [incident]
    finally:
        archive.dispose()


def test_a_retried_write_never_duplicates_and_an_older_one_never_wins(
    archive: Archive, example_policy: Policy
) -> None:
    opened = open_incident(example_policy, "db-1", clients_affected=["acme"])
    early = opened.model_copy(deep=True)
    act(example_policy, opened, Acknowledge(by="alice"), at(5))
    engine = archive.engine

    assert record_incident(engine, opened, log_version(opened))
    assert not record_incident(engine, opened, log_version(opened))  # the retry: held already
    assert not record_incident(engine, early, log_version(early))  # late and older: ignored
    assert count(archive, IncidentRow) == 1
    assert count(archive, TimelineRow) == len(opened.timeline)
    assert count(archive, IncidentClientRow) == 1
    stored = find_incident(engine, "incident-db-1")
    assert stored == opened
    assert stored is not None and stored.status == "acknowledged"


def test_concurrent_writes_keep_the_newest(archive: Archive, example_policy: Policy) -> None:
    """Attempts of every version at once, as retries after an outage would land."""
    incident = open_incident(example_policy, "db-2")
    versions: list[IncidentState] = [incident.model_copy(deep=True)]
    for minute in range(1, 12):
        incident.record(at(minute), "note", "alice", f"step {minute}")
        versions.append(incident.model_copy(deep=True))
    engine = archive.engine
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda s: record_incident(engine, s, log_version(s)), versions * 3))
    assert find_incident(engine, "db-2") == incident
    assert count(archive, TimelineRow) == len(incident.timeline)


def test_reviews_round_trip_with_items_and_feedback(
    archive: Archive, example_policy: Policy
) -> None:
    incident = critical_checkout(example_policy)
    review = checkout_review(incident)
    record_incident(archive.engine, incident, log_version(incident))
    assert record_review(archive.engine, review, log_version(review))
    assert not record_review(archive.engine, review, log_version(review))
    assert find_reviews(archive.engine, [incident.incident_id]) == {incident.incident_id: review}
    assert count(archive, ReviewRow) == 1
    assert count(archive, ActionItemRow) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (IncidentQuery(), ["db-c", "db-b", "db-a"]),
        (IncidentQuery(service="payments"), ["db-b", "db-a"]),
        (IncidentQuery(client="globex"), ["db-b"]),
        (IncidentQuery(severity="medium"), ["db-c"]),
        (IncidentQuery(since=at(hours=24)), ["db-c", "db-b"]),
        (IncidentQuery(text="TLS"), ["db-a"]),  # the cause
        (IncidentQuery(text="queue"), ["db-c"]),  # the title
        (IncidentQuery(text="100%"), []),  # % is a character here, not a wildcard
    ],
)
def test_filters(
    archive: Archive, example_policy: Policy, query: IncidentQuery, expected: list[str]
) -> None:
    incidents = [
        critical_checkout(example_policy).model_copy(update={"key": "db-a"}),
        open_incident(
            example_policy, "db-b", now=at(hours=30), clients_affected=["globex", "acme"]
        ),
        open_incident(
            example_policy, "db-c", now=at(hours=48), title="queue backlog", service="billing"
        ),
    ]
    incidents[0].incident_id = "incident-db-a"
    for incident in incidents:
        record_incident(archive.engine, incident, log_version(incident))
    found = find_incidents(archive.engine, query)
    assert [i.key for i in found] == expected
    assert all(i.opened_at - at() >= timedelta(0) for i in found)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("sqlite:///tmp/a.db", "sqlite:///tmp/a.db"),
        ("postgresql://u:pw@db/archive", "postgresql+psycopg://u:pw@db/archive"),
        ("postgresql+psycopg://u@db/archive", "postgresql+psycopg://u@db/archive"),
    ],
)
def test_archive_url_setting(value: str, expected: str | None) -> None:
    assert (
        database_url_setting("ESCALATION_ARCHIVE_URL", environ={"ESCALATION_ARCHIVE_URL": value})
        == expected
    )


def test_a_bad_archive_url_is_refused_without_repeating_it() -> None:
    with pytest.raises(SettingInvalid) as refused:
        database_url_setting("X", environ={"X": "mysql://root:hunter2@db/x"})
    assert "X: expected sqlite:///PATH" in str(refused.value)
    assert "hunter2" not in str(refused.value)
