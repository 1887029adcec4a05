"""Where the archive lives and how to reach it: the URL, the engine, the schema brought up to date.

Nothing connects until the first read or write, so a worker starts (and pages) while the
database is down; the first use that reaches it migrates the schema.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from escalation.environment import database_url_setting

ARCHIVE_URL_SETTING = "ESCALATION_ARCHIVE_URL"
DEFAULT_ARCHIVE = Path(".escalation/archive.db")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 5
"""A down PostgreSQL fails an attempt quickly (the activity retries) instead of holding one of
the worker's activity threads for the operating system's TCP timeout."""


def archive_url(environ: Mapping[str, str] | None = None) -> str:
    """`ESCALATION_ARCHIVE_URL`, else the SQLite file `.escalation/archive.db`; raises
    SettingInvalid on a URL that is neither SQLite nor PostgreSQL."""
    url = database_url_setting(ARCHIVE_URL_SETTING, environ=environ)
    return url or f"sqlite:///{DEFAULT_ARCHIVE}"


def head_revision() -> str:
    """The newest migration shipped with this code."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


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
        current = MigrationContext.configure(connection).get_current_revision()
        if revision == "head" and current == head_revision():
            return
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at (None before the first migration)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


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
