"""Carry a sender's reports to incidents, and say honestly what became of each.

Everything goes through the starter's client functions. Nothing is answered 2xx before
Temporal has it; Temporal's own trouble becomes `Unavailable` (503, the sender retries) or
`Saturated` (429 with Retry-After), never a 4xx the sender would drop.
"""

from __future__ import annotations

import asyncio
import logging

from pydantic import BaseModel, Field
from temporalio.client import Client, RPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from api.coalescing import Coalescer
from api.live_incidents import LiveIncidents
from api.reports import Acknowledge, Clear, Fire, Outcome, Report
from escalation.alerts import Alert
from escalation.contract import TASK_QUEUE
from escalation.policy import Policy
from starter.alert_intake import ClearedAlert, acknowledge_alert, clear_alert, repeat_alert
from starter.opening import SIGNAL_LIMIT_MESSAGE, IncidentSaturated, OpenedIncident, open_incident

logger = logging.getLogger(__name__)

ACCEPT_TIMEOUT_SECONDS = 15.0
"""How long one request may wait on Temporal before the sender is told 503 and retries."""
SATURATED_RETRY_AFTER = 30
UNAVAILABLE_RETRY_AFTER = 5


class Unavailable(RuntimeError):
    """Temporal did not take the report: answer 503 so the sender retries."""


class Saturated(RuntimeError):
    """Temporal refused for load (the run's signal limit, or the namespace's rate): 429."""


class IncidentOutcome(BaseModel):
    """What one report did."""

    outcome: Outcome = Field(
        description="opened a new incident, joined an open one, or acted on one"
    )
    workflow_id: str | None = Field(description="The incident's workflow id; null when ignored")
    key: str | None = Field(description="The incident key the CLI takes")
    alert_id: str | None = Field(None, description="The id the incident recorded for the alert")


class Intake:
    """Reports in, outcomes out, with one coalescer for repeats of a dedup key."""

    def __init__(self, client: Client, task_queue: str = TASK_QUEUE) -> None:
        self.client = client
        self.task_queue = task_queue
        self.policy: Policy | None = None
        self.coalescer = Coalescer(self._open)
        self.live = LiveIncidents()

    async def _open(self, alert: Alert) -> OpenedIncident:
        """A repeat of a live key straight to its incident; otherwise `open_incident`."""
        live = self.live.get(alert.dedup_key) if alert.dedup_key else None
        if live is not None:
            try:
                return await repeat_alert(self.client, live.key, alert, live.summary)
            except RPCError as error:
                if error.status != RPCStatusCode.NOT_FOUND and (
                    SIGNAL_LIMIT_MESSAGE not in error.message
                ):
                    raise
        opened = await open_incident(
            self.client, alert, task_queue=self.task_queue, policy=self.policy
        )
        if alert.dedup_key:
            self.live.remember(alert.dedup_key, opened.key, opened.summary)
        return opened

    async def take(self, reports: list[Report], policy: Policy) -> list[IncidentOutcome]:
        """Every report to Temporal, or an Unavailable/Saturated error for the whole request.

        A sender retries the whole request; alerts carry ids derived from the notification, so
        the incident recognises a retried alert and does not count it twice.
        """
        self.policy = policy
        try:
            async with asyncio.timeout(ACCEPT_TIMEOUT_SECONDS):
                return list(await asyncio.gather(*(self._one(report) for report in reports)))
        except IncidentSaturated as error:
            raise Saturated(str(error)) from None
        except (TimeoutError, RPCTimeoutOrCancelledError):
            raise Unavailable(
                f"Temporal did not answer within {ACCEPT_TIMEOUT_SECONDS:.0f}s"
            ) from None
        except RPCError as error:
            if error.status == RPCStatusCode.RESOURCE_EXHAUSTED:
                raise Saturated(f"Temporal is rate limiting: {error.message}") from None
            raise Unavailable(f"Temporal: {error.message}") from None
        except RuntimeError as error:  # the lazy connection failing, or reviews piling up
            logger.warning("report not taken: %s", error)
            raise Unavailable(str(error)) from None

    async def _one(self, report: Report) -> IncidentOutcome:
        match report:
            case Fire(alert):
                opened = await self.coalescer.report(alert)
                return IncidentOutcome(
                    outcome="joined" if opened.attached else "opened",
                    workflow_id=opened.workflow_id,
                    key=opened.key,
                    alert_id=opened.alert_id,
                )
            case Clear(dedup_key, title, source, resolve):
                self.live.forget(dedup_key)
                cleared = await clear_alert(
                    self.client, dedup_key, source=source, title=title, resolve=resolve
                )
                return _acted(cleared)
            case Acknowledge(dedup_key, source):
                return _acted(await acknowledge_alert(self.client, dedup_key, source=source))


def _acted(result: ClearedAlert) -> IncidentOutcome:
    return IncidentOutcome(outcome=result.action, workflow_id=result.workflow_id, key=result.key)
