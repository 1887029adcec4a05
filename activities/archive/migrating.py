"""Bringing the archive's schema up to date with Alembic and the scripts in `migrations/`.

Its own module so that Alembic (a quarter of a second to import) loads only when a schema is
behind: a replacement worker starts while the escalations due meanwhile wait for it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def head_revision() -> str:
    """The newest migration shipped with this code, as Alembic reads the scripts."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(connection: Connection, revision: str) -> None:
    """Run the migrations up to `revision` on `connection`, in its transaction."""
    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
