"""The open incidents gauge, counted by Temporal's visibility rather than by one worker.

A gauge set from workflow code would only know the incidents this process happens to run; the
visibility store knows them all. Every worker counts on an interval, so with several workers each
reports the same figure: aggregate with `max`, not `sum`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from temporalio.client import Client
from temporalio.common import MetricMeter
from temporalio.service import RPCError

from escalation.contract import INCIDENT_WORKFLOW
from wiring.metrics import installed_meter
from workflows.search_attributes import INCIDENT_SEVERITY, INCIDENT_STATUS

log = logging.getLogger("escalation.metrics")

COUNT_EVERY = timedelta(seconds=10)
OPEN_STATUSES = ("triggered", "acknowledged")
"""Open as the SLA clocks see it; resolved incidents awaiting their review are not counted."""


def open_incidents_query(severity: str) -> str:
    """Running incidents of one severity whose status is open; values quoted as JSON strings,
    which visibility reads the same way (a severity name cannot change the query's meaning)."""
    statuses = ", ".join(json.dumps(status) for status in OPEN_STATUSES)
    return (
        f"WorkflowType = {json.dumps(INCIDENT_WORKFLOW)} AND ExecutionStatus = 'Running' "
        f"AND {INCIDENT_STATUS.name} IN ({statuses}) "
        f"AND {INCIDENT_SEVERITY.name} = {json.dumps(severity)}"
    )


async def count_open_incidents(
    client: Client, meter: MetricMeter, severities: list[str], every: timedelta = COUNT_EVERY
) -> None:
    """Set `escalation_open_incidents{severity}` for each policy severity until cancelled.

    A failed count keeps the last value and is logged once until counting works again (a
    cluster without the search attributes fails every time): metrics never stop the worker.
    """
    gauge = meter.create_gauge("escalation_open_incidents", "Open incidents by severity.")
    failing = False
    while True:
        for severity in severities:
            try:
                count = await client.count_workflows(open_incidents_query(severity))
            except RPCError as error:
                if not failing:
                    log.warning("cannot count open incidents (gauge not updated): %s", error)
                failing = True
                continue
            failing = False
            gauge.set(count.count, {"severity": severity})
        await asyncio.sleep(every.total_seconds())


@contextlib.asynccontextmanager
async def open_incidents_gauge(client: Client, severities: list[str]) -> AsyncIterator[None]:
    """Keep the gauge current while the worker runs, when this process serves metrics."""
    meter = installed_meter()
    if meter is None:
        yield
        return
    task = asyncio.create_task(count_open_incidents(client, meter, severities))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
