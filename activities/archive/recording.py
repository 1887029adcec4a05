"""The archive's activities: the incident and review workflows hand over their state here.

Plain `def` activities on the worker's thread pool (SQLAlchemy blocks). A failure (the database
down, a lock held) raises, and the workflow's retry policy tries again with backoff, forever:
the incident never waits on it, and no row is lost once the database is back.
"""

from __future__ import annotations

import logging

from temporalio import activity

from activities.archive.database import Archive
from activities.archive.writes import record_incident, record_review
from escalation.archive import (
    ARCHIVE_INCIDENT,
    ARCHIVE_REVIEW,
    ArchivedIncident,
    ArchivedReview,
)

log = logging.getLogger(__name__)


class ArchiveActivities:
    """Writes to one archive, connecting (and migrating) on first use."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    @activity.defn(name=ARCHIVE_INCIDENT)
    def archive_incident(self, record: ArchivedIncident) -> bool:
        """Upsert the incident; False when the archive already held this version or newer."""
        written = record_incident(self.archive.engine, record.state, record.version)
        _log(record.state.incident_id, record.version, written)
        return written

    @activity.defn(name=ARCHIVE_REVIEW)
    def archive_review(self, record: ArchivedReview) -> bool:
        """Upsert the review; False when the archive already held this version or newer."""
        written = record_review(self.archive.engine, record.review, record.version)
        _log(record.review.review_id, record.version, written)
        return written


def _log(record_id: str, version: int, written: bool) -> None:
    outcome = "archived" if written else "already archived newer than"
    log.debug("%s %s version %d", outcome, record_id, version)
