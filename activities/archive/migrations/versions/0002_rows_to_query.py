"""Clients, timeline entries, notifications, action items and feedback as rows of their own,
filled from the JSON of the incidents and reviews already archived.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)


def _parent(table: str, column: str) -> sa.Column[str]:
    return sa.Column(
        column,
        sa.String(300),
        sa.ForeignKey(f"{table}.{column}", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    clients = op.create_table(
        "incident_clients",
        _parent("incidents", "incident_id"),
        sa.Column("client", sa.String(200), primary_key=True, index=True),
    )
    timeline = op.create_table(
        "timeline_entries",
        _parent("incidents", "incident_id"),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("at", When, nullable=False),
        sa.Column("kind", sa.String(100), nullable=False, index=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("entry", sa.JSON, nullable=False),
    )
    notifications = op.create_table(
        "notifications",
        _parent("incidents", "incident_id"),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("at", When, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("purpose", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
    )
    items = op.create_table(
        "action_items",
        _parent("reviews", "review_id"),
        sa.Column("item_id", sa.String(20), primary_key=True),
        sa.Column("incident_id", sa.String(300), nullable=False, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due", When),
        sa.Column("blocking", sa.Boolean, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("done_at", When),
        sa.Column("done_by", sa.String(200)),
    )
    feedback = op.create_table(
        "feedback",
        _parent("reviews", "review_id"),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("incident_id", sa.String(300), nullable=False, index=True),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("at", When, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    _fill(clients, timeline, notifications, items, feedback)


def _fill(*tables: sa.Table) -> None:
    """The same rows the archive writes today, from the JSON it wrote before (frozen here: a
    migration must not change with the models)."""
    clients, timeline, notifications, items, feedback = tables
    bind = op.get_bind()
    incidents = sa.table("incidents", sa.column("incident_id"), sa.column("state", sa.JSON))
    for incident_id, state in bind.execute(sa.select(incidents.c.incident_id, incidents.c.state)):
        rows = [{"incident_id": incident_id, "client": c} for c in state["clients_affected"]]
        _insert(clients, rows)
        _insert(timeline, [_entry(incident_id, n, e) for n, e in enumerate(state["timeline"])])
        records = state["notifications"]
        _insert(notifications, [_record(incident_id, n, r) for n, r in enumerate(records)])
    reviews = sa.table("reviews", sa.column("review_id"), sa.column("state", sa.JSON))
    for review_id, state in bind.execute(sa.select(reviews.c.review_id, reviews.c.state)):
        _insert(items, [_item(review_id, state["incident_id"], i) for i in state["action_items"]])
        said = enumerate(state["feedback"])
        _insert(feedback, [_said(review_id, state["incident_id"], n, f) for n, f in said])


def _insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        op.bulk_insert(table, rows)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _entry(incident_id: str, seq: int, entry: dict[str, Any]) -> dict[str, Any]:
    keep = {"at": _when(entry["at"]), "kind": entry["kind"], "actor": entry["actor"]}
    return {"incident_id": incident_id, "seq": seq, **keep, "entry": entry}


def _record(incident_id: str, seq: int, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "seq": seq,
        "at": _when(record["at"]),
        "channel": record["channel"],
        "purpose": record["purpose"],
        "status": record["status"],
        "recipient": record.get("recipient", ""),
        "record": record,
    }


def _item(review_id: str, incident_id: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "review_id": review_id,
        "item_id": item["id"],
        "incident_id": incident_id,
        "title": item["title"],
        "owner": item["owner"],
        "due": _when(item.get("due")),
        "blocking": item.get("blocking", True),
        "created_at": _when(item["created_at"]),
        "done_at": _when(item.get("done_at")),
        "done_by": item.get("done_by"),
    }


def _said(review_id: str, incident_id: str, seq: int, said: dict[str, Any]) -> dict[str, Any]:
    at = _when(said["at"])
    return {
        "review_id": review_id,
        "seq": seq,
        "incident_id": incident_id,
        "by": said["by"],
        "at": at,
        "text": said["text"],
    }
