"""Incidents and reviews, each a whole record as JSON with the columns lists filter on.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.String(300), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False, index=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("service", sa.String(200), nullable=False, index=True),
        sa.Column("category", sa.String(200)),
        sa.Column("severity", sa.String(50), nullable=False, index=True),
        sa.Column("classification_rule", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("tier", sa.Integer, nullable=False),
        sa.Column("management_engaged", sa.Boolean, nullable=False),
        sa.Column("opened_at", When, nullable=False, index=True),
        sa.Column("acknowledged_at", When),
        sa.Column("acknowledged_by", sa.String(200)),
        sa.Column("resolved_at", When),
        sa.Column("resolved_by", sa.String(200)),
        sa.Column("closed_at", When),
        sa.Column("ack_due", When, nullable=False),
        sa.Column("resolve_due", When, nullable=False),
        sa.Column("ack_breached", sa.Boolean, nullable=False),
        sa.Column("resolve_breached", sa.Boolean, nullable=False),
        sa.Column("cause", sa.Text),
        sa.Column("resolution", sa.Text),
        sa.Column("preventive_measures", sa.JSON, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("review_id", sa.String(300)),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("archived_at", When, nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("review_id", sa.String(300), primary_key=True),
        sa.Column("incident_id", sa.String(300), nullable=False, index=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", When, nullable=False),
        sa.Column("due_at", When, nullable=False),
        sa.Column("completed_at", When),
        sa.Column("completed_by", sa.String(200)),
        sa.Column("summary", sa.Text),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("archived_at", When, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("incidents")
