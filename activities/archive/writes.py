"""Idempotent upserts keyed by incident and review id, the newest version winning.

A write carries the record's version (`escalation.archive.log_version`). The row is inserted,
or updated when the stored version is older, in one statement (`INSERT ... ON CONFLICT DO
UPDATE ... WHERE`), so a retried write never duplicates a row and an older state arriving late
never overwrites a newer one. The rows derived from the record (clients, timeline, ...) are
replaced in the same transaction, only when the record itself was written.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, insert
from sqlalchemy.dialects import postgresql, sqlite

from activities.archive.tables import (
    ActionItemRow,
    FeedbackRow,
    IncidentClientRow,
    IncidentRow,
    NotificationRow,
    ReviewRow,
    TimelineRow,
)
from escalation.incident import IncidentState
from escalation.review import ReviewState

INCIDENTS: Table = IncidentRow.__table__  # type: ignore[assignment]
REVIEWS: Table = ReviewRow.__table__  # type: ignore[assignment]


def record_incident(engine: Engine, state: IncidentState, version: int) -> bool:
    """Upsert the incident; False when the archive already holds this version or a newer one."""
    row = incident_row(state, version)
    with engine.begin() as connection:
        if not _upsert(connection, INCIDENTS, "incident_id", row):
            return False
        where = {"incident_id": state.incident_id}
        _replace(
            connection,
            IncidentClientRow,
            where,
            [{**where, "client": client} for client in dict.fromkeys(state.clients_affected)],
        )
        _replace(
            connection,
            TimelineRow,
            where,
            [
                {
                    **where,
                    "seq": n,
                    "at": e.at,
                    "kind": e.kind,
                    "actor": e.actor,
                    "entry": e.model_dump(mode="json"),
                }
                for n, e in enumerate(state.timeline)
            ],
        )
        _replace(
            connection,
            NotificationRow,
            where,
            [
                {
                    **where,
                    "seq": n,
                    "at": r.at,
                    "channel": r.channel,
                    "purpose": r.purpose,
                    "status": r.status,
                    "recipient": r.recipient,
                    "record": r.model_dump(mode="json"),
                }
                for n, r in enumerate(state.notifications)
            ],
        )
    return True


def record_review(engine: Engine, review: ReviewState, version: int) -> bool:
    """Upsert the review with its action items and feedback; False when held already."""
    row = {
        "review_id": review.review_id,
        "incident_id": review.incident_id,
        "version": version,
        "owner": review.owner,
        "status": review.status,
        "opened_at": review.opened_at,
        "due_at": review.due_at,
        "completed_at": review.completed_at,
        "completed_by": review.completed_by,
        "summary": review.summary,
        "state": review.model_dump(mode="json"),
        "archived_at": datetime.now(UTC),
    }
    with engine.begin() as connection:
        if not _upsert(connection, REVIEWS, "review_id", row):
            return False
        where = {"review_id": review.review_id}
        also = {**where, "incident_id": review.incident_id}
        _replace(
            connection,
            ActionItemRow,
            where,
            [
                {
                    **also,
                    "item_id": i.id,
                    "title": i.title,
                    "owner": i.owner,
                    "due": i.due,
                    "blocking": i.blocking,
                    "created_at": i.created_at,
                    "done_at": i.done_at,
                    "done_by": i.done_by,
                }
                for i in review.action_items
            ],
        )
        _replace(
            connection,
            FeedbackRow,
            where,
            [
                {**also, "seq": n, "by": f.by, "at": f.at, "text": f.text}
                for n, f in enumerate(review.feedback)
            ],
        )
    return True


def incident_row(state: IncidentState, version: int) -> dict[str, Any]:
    """The incident's columns: the whole state as JSON and the copies queries filter on."""
    resolution = state.resolution
    return {
        "incident_id": state.incident_id,
        "key": state.key,
        "version": version,
        "title": state.title,
        "service": state.service,
        "category": state.category,
        "severity": state.severity,
        "classification_rule": state.classification.rule,
        "status": state.status,
        "tier": state.tier,
        "management_engaged": state.position.management_engaged,
        "opened_at": state.opened_at,
        "acknowledged_at": state.acknowledged_at,
        "acknowledged_by": state.acknowledged_by,
        "resolved_at": state.resolved_at,
        "resolved_by": state.resolved_by,
        "closed_at": state.closed_at,
        "ack_due": state.sla.ack_due,
        "resolve_due": state.sla.resolve_due,
        "ack_breached": state.sla.ack_breached,
        "resolve_breached": state.sla.resolve_breached,
        "cause": resolution.cause if resolution else None,
        "resolution": resolution.resolution if resolution else None,
        "preventive_measures": list(resolution.preventive_measures) if resolution else [],
        "report": state.model_dump(
            mode="json",
            include={
                "title",
                "service",
                "description",
                "category",
                "users_affected",
                "clients_affected",
                "alerts_received",
                "alert_ids",
            },
        ),
        "review_id": state.review_workflow_id,
        "state": state.model_dump(mode="json"),
        "archived_at": datetime.now(UTC),
    }


def _upsert(connection: Connection, table: Table, key: str, row: dict[str, Any]) -> bool:
    """Insert, or update when the stored version is older; whether the row was written.

    An equal version is the same record (its logs only grow), so a retry writes nothing."""
    statement = _upsert_statement(connection.dialect.name, table, key, tuple(row))
    return connection.execute(statement, row).first() is not None


@functools.cache
def _upsert_statement(dialect_name: str, table: Table, key: str, columns: tuple[str, ...]) -> Any:
    """The upsert for these columns, built once: the row comes as parameters, so SQLAlchemy
    compiles it once too (building it per write cost more than the write itself)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=[key],
        set_={name: statement.excluded[name] for name in columns if name != key},
        where=table.c.version < statement.excluded.version,
    ).returning(table.c[key])


def _replace(
    connection: Connection,
    model: type[Any],
    where: dict[str, str],
    rows: list[dict[str, Any]],
) -> None:
    table: Table = model.__table__
    connection.execute(delete(table).filter_by(**where))
    if rows:
        connection.execute(insert(table), rows)
