"""Writing an incident or review to the archive, from its workflow, without ever waiting on it.

Each write is one activity, started as background work when the record's status changes (and
once more when it ends), with a retry policy that never gives up: a database that is down delays
the archive, never a page or a timer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from escalation.archive import (
        ARCHIVE_INCIDENT,
        ARCHIVE_REVIEW,
        ArchivedIncident,
        ArchivedReview,
        log_version,
    )
    from escalation.incident import IncidentState
    from escalation.logbook import Logbook
    from escalation.review import ReviewState
    from workflows.background import BackgroundWork
    from workflows.patches import ARCHIVED, patched

WRITE_TIMEOUT = timedelta(seconds=60)
RETRY_FOREVER = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=0,
)
"""Until the database is back: every attempt is recorded in the activity's retry state."""


def _incident_key(state: IncidentState) -> Hashable:
    sla = state.sla
    return (
        state.status,
        state.severity,
        state.tier,
        state.position.management_engaged,
        sla.ack_breached,
        sla.resolve_breached,
        state.resolved_at,
        state.review_workflow_id,
    )


def _review_key(review: ReviewState) -> Hashable:
    done = sum(1 for item in review.action_items if not item.is_open)
    return (review.status, len(review.action_items), done, len(review.feedback), review.owner)


@dataclass(frozen=True)
class Archiving:
    """How one kind of record is archived: the activity, its input, and what a write follows."""

    activity: str
    record: Callable[[Any, int], BaseModel]
    key: Callable[[Any], Hashable]


INCIDENT_ARCHIVING = Archiving(
    ARCHIVE_INCIDENT,
    lambda state, version: ArchivedIncident(state=state, version=version),
    _incident_key,
)
"""Writes at open, at each change of status, severity, tier, breach or resolution."""
REVIEW_ARCHIVING = Archiving(
    ARCHIVE_REVIEW,
    lambda review, version: ArchivedReview(review=review, version=version),
    _review_key,
)
"""Writes at open, when an action item or feedback is added or done, and at completion."""


class Archivist:
    """Starts a write whenever what the archiving's `key` reads off the record changes."""

    def __init__(self, work: BackgroundWork, archiving: Archiving) -> None:
        self._work = work
        self._archiving = archiving
        self._written: Hashable = None
        self.enabled = patched(ARCHIVED)
        """Decided once per run, when it starts: a run begun before the patch never archives."""

    def observe(self, log: Logbook) -> None:
        """A write in the background if the record's status moved since the last one."""
        if not self.enabled:
            return
        key = self._archiving.key(log)
        if key != self._written:
            self._written = key
            self._work.start(self._write(log))

    async def final(self, log: Logbook) -> None:
        """The last write, once everything the record started has finished."""
        if self.enabled:
            await self._write(log)

    def _write(self, log: Logbook) -> Any:
        """The activity for the record as it is now (copied: it goes on changing meanwhile)."""
        version = log_version(log)
        return workflow.execute_activity(
            self._archiving.activity,
            self._archiving.record(log.model_copy(deep=True), version),
            start_to_close_timeout=WRITE_TIMEOUT,
            retry_policy=RETRY_FOREVER,
            summary=f"archive {getattr(log, 'status', '')} (version {version})",
        )
