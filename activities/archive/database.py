"""Where the archive lives and how to reach it: the URL, the engine, the schema brought up to date.

Nothing connects until the first read or write, so a worker starts (and pages) while the
database is down; the first use that reaches it migrates the schema, loading Alembic only if the
schema is behind (`migrating.py`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from escalation.environment import database_url_setting

ARCHIVE_URL_SETTING = "ESCALATION_ARCHIVE_URL"
DEFAULT_ARCHIVE = Path(".escalation/archive.db")
SCHEMA_REVISION = "0002"
"""The newest migration in `migrations/` (a test holds it to Alembic's head)."""
VERSION_TABLE = "alembic_version"
CONNECT_TIMEOUT_SECONDS = 5
"""A down PostgreSQL fails an attempt quickly (the activity retries) instead of holding one of
the worker's activity threads for the operating system's TCP timeout."""


def archive_url(environ: Mapping[str, str] | None = None) -> str:
    """`ESCALATION_ARCHIVE_URL`, else the SQLite file `.escalation/archive.db`; raises
    SettingInvalid on a URL that is neither SQLite nor PostgreSQL."""
    url = database_url_setting(ARCHIVE_URL_SETTING, environ=environ)
    return url or f"sqlite:///{DEFAULT_ARCHIVE}"


class Archive:
    """One database, connected and migrated on first use (again after a failed first use)."""

    def __init__(self, url: str) -> None:
        self.url: URL = make_url(url)
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The engine, the schema at the head revision; raises while the database is down."""
        with self._lock:
            if self._engine is None:
                engine = _create_engine(self.url)
                migrate(engine)
                self._engine = engine
            return self._engine

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default); a no-op when it is there."""
    with engine.begin() as connection:
        if revision == "head" and _current_revision(connection) == SCHEMA_REVISION:
            return
        from activities.archive.migrating import upgrade  # noqa: PLC0415 - Alembic, when behind

        upgrade(connection, revision)


def _current_revision(connection: Connection) -> str | None:
    """The revision the database is at, read from Alembic's table without Alembic (None before
    the first migration)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.scalar(text(f"SELECT version_num FROM {VERSION_TABLE}"))


def _create_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )


def _sqlite_pragmas(connection: object, _record: ConnectionPoolEntry) -> None:
    """Write-ahead log, so the CLI can read while the worker writes; foreign keys enforced.

    `synchronous=NORMAL` (safe with the log: no corruption) spares each write a sync to disk; a
    power cut may lose the newest writes, and the record's next write, which carries its whole
    state, puts them back."""
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
