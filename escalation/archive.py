"""What the workflows hand the archive: a whole incident or review, with a version.

The version orders writes that arrive out of order (a retried write of an old state landing
after a newer one): the archive keeps the row with the highest version. Timelines and
notification lists only ever grow, so their combined length counts every change.
"""

from __future__ import annotations

from pydantic import BaseModel

from escalation.incident import IncidentState
from escalation.logbook import Logbook
from escalation.review import ReviewState

ARCHIVE_INCIDENT = "archive_incident"
ARCHIVE_REVIEW = "archive_review"


def log_version(log: Logbook) -> int:
    """How many things have happened to this incident or review; never goes down."""
    return len(log.timeline) + len(log.notifications)


class ArchivedIncident(BaseModel):
    """`archive_incident`'s input: the incident as it stands, and the version it stands at."""

    state: IncidentState
    version: int


class ArchivedReview(BaseModel):
    """`archive_review`'s input."""

    review: ReviewState
    version: int
