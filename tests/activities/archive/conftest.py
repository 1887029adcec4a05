"""The archive's databases: a SQLite file per test, and a database per test on a real PostgreSQL."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from activities.archive.database import Archive
from tests.activities.archive.postgres import PostgresCluster, postgres_bin


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """Skipped only when Debian's `postgresql` is not installed (`make test` installs it).

    In a directory of its own under /tmp: pytest's are private to us, and the server runs as
    `postgres` when we are root."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    scratch = Path(tempfile.mkdtemp(prefix="escalation-postgres-"))
    cluster = PostgresCluster(bin_dir, scratch)
    cluster.start()
    yield cluster
    cluster.stop()
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def archive_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both databases the archive supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()


@pytest.fixture
def archive(archive_url: str) -> Iterator[Archive]:
    archive = Archive(archive_url)
    yield archive
    archive.dispose()
