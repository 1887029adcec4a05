"""The incident archive: every incident and review in a SQL database, kept after Temporal forgets.

SQLite under `.escalation/` by default, PostgreSQL (psycopg 3) through `ESCALATION_ARCHIVE_URL`.
The schema is migrated by the Alembic scripts shipped here, on first use.
"""
