"""Reading the archive back: incidents by filter, one incident by key, the reviews of incidents.

Records come back as the models the workflows keep (`IncidentState`, `ReviewState`), so the CLI
renders and `escalation stats` counts an archived incident exactly as a live one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, or_, select

from activities.archive.tables import IncidentClientRow, IncidentRow, ReviewRow
from escalation.incident import IncidentState
from escalation.review import ReviewState

DEFAULT_LIMIT = 1_000


@dataclass(frozen=True)
class IncidentQuery:
    """`escalation list --all`'s filters; None means any."""

    service: str | None = None
    client: str | None = None
    severity: str | None = None
    since: datetime | None = None
    text: str | None = None
    """Found in the title or the cause, case ignored."""
    limit: int = DEFAULT_LIMIT
    status: str | None = None


def find_incidents(engine: Engine, query: IncidentQuery) -> list[IncidentState]:
    """Matching incidents, the most recently opened first."""
    statement = select(IncidentRow.state).order_by(IncidentRow.opened_at.desc()).limit(query.limit)
    if query.service:
        statement = statement.where(IncidentRow.service == query.service)
    if query.status:
        statement = statement.where(IncidentRow.status == query.status)
    if query.severity:
        statement = statement.where(IncidentRow.severity == query.severity)
    if query.since:
        statement = statement.where(IncidentRow.opened_at >= query.since)
    if query.client:
        clients = select(IncidentClientRow.incident_id).where(
            IncidentClientRow.client == query.client
        )
        statement = statement.where(IncidentRow.incident_id.in_(clients))
    if query.text:
        pattern = f"%{_escaped(query.text.lower())}%"
        statement = statement.where(
            or_(
                IncidentRow.title.ilike(pattern, escape="\\"),
                IncidentRow.cause.ilike(pattern, escape="\\"),
            )
        )
    with engine.connect() as connection:
        return [IncidentState.model_validate(row) for row in connection.scalars(statement)]


def find_incident(engine: Engine, key: str) -> IncidentState | None:
    """By workflow id (`incident-db-17~1`) or key (`db-17`: the latest incident with it)."""
    statement = (
        select(IncidentRow.state)
        .where(or_(IncidentRow.incident_id == key, IncidentRow.key == key))
        .order_by(IncidentRow.opened_at.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        state = connection.scalars(statement).first()
    return IncidentState.model_validate(state) if state is not None else None


def find_reviews(engine: Engine, incident_ids: Iterable[str]) -> dict[str, ReviewState]:
    """The latest review of each of these incidents that has one."""
    ids = list(incident_ids)
    statement = (
        select(ReviewRow.state).where(ReviewRow.incident_id.in_(ids)).order_by(ReviewRow.opened_at)
    )
    with engine.connect() as connection:
        reviews = [ReviewState.model_validate(row) for row in connection.scalars(statement)]
    return {review.incident_id: review for review in reviews}


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
