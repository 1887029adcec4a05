"""The archive's tables: whole records as JSON, with the columns that lists and analytics filter on.

`state` holds the incident or review exactly as the workflow had it (every field of the model,
including ones added later); the other columns are copies for queries, rebuilt on every write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

When = DateTime(timezone=True)


class Base(DeclarativeBase):
    """The archive's metadata (the migrations are checked against it in the tests)."""


class IncidentRow(Base):
    """One incident (one workflow id: a reused key after closing is another row)."""

    __tablename__ = "incidents"

    incident_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    version: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(Text)
    service: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str | None] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(50), index=True)
    classification_rule: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    tier: Mapped[int] = mapped_column(Integer)
    management_engaged: Mapped[bool]
    opened_at: Mapped[datetime] = mapped_column(When, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(When)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(When)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(When)
    ack_due: Mapped[datetime] = mapped_column(When)
    resolve_due: Mapped[datetime] = mapped_column(When)
    ack_breached: Mapped[bool]
    resolve_breached: Mapped[bool]
    cause: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    preventive_measures: Mapped[list[str]] = mapped_column(JSON)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The report as received: title, service, description, category, users and clients."""
    review_id: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    archived_at: Mapped[datetime] = mapped_column(When)


class ReviewRow(Base):
    """One post-incident review."""

    __tablename__ = "reviews"

    review_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(300), index=True)
    version: Mapped[int] = mapped_column(BigInteger)
    owner: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(When)
    due_at: Mapped[datetime] = mapped_column(When)
    completed_at: Mapped[datetime | None] = mapped_column(When)
    completed_by: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    archived_at: Mapped[datetime] = mapped_column(When)


class IncidentClientRow(Base):
    """A client affected by an incident (the `--client` filter)."""

    __tablename__ = "incident_clients"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.incident_id", ondelete="CASCADE"), primary_key=True
    )
    client: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class IncidentEvent:
    """The key and time of something that happened to an incident, numbered in its order.

    The columns come first in each table (`sort_order`), where the migrations put them.
    """

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.incident_id", ondelete="CASCADE"), primary_key=True, sort_order=-1
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    at: Mapped[datetime] = mapped_column(When, sort_order=-1)


class TimelineRow(IncidentEvent, Base):
    """One timeline entry; `entry` keeps every field it has (structured fields included)."""

    __tablename__ = "timeline_entries"

    kind: Mapped[str] = mapped_column(String(100), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)


class NotificationRow(IncidentEvent, Base):
    """One message to one address, and what became of it: who was paged, and how."""

    __tablename__ = "notifications"

    channel: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class ActionItemRow(Base):
    """A review's preventive action item (open, done, overdue)."""

    __tablename__ = "action_items"

    review_id: Mapped[str] = mapped_column(
        ForeignKey("reviews.review_id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(300), index=True)
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due: Mapped[datetime | None] = mapped_column(When)
    blocking: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(When)
    done_at: Mapped[datetime | None] = mapped_column(When)
    done_by: Mapped[str | None] = mapped_column(String(200))


class FeedbackRow(Base):
    """Feedback a client or colleague gave in a review."""

    __tablename__ = "feedback"

    review_id: Mapped[str] = mapped_column(
        ForeignKey("reviews.review_id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(300), index=True)
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(When)
    text: Mapped[str] = mapped_column(Text)
