"""How long and how hard a delivery tries, shared by every workflow that sends a message."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from escalation.messages import (
        OUR_BUG,
        PERMANENT_FAILURE,
    )

DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    non_retryable_error_types=[PERMANENT_FAILURE, OUR_BUG],
)
"""429/5xx/timeouts retry with backoff for up to DELIVERY_DEADLINE; refusals and bugs in our own
code are final (the activity marks both non-retryable too)."""

DELIVERY_DEADLINE = timedelta(hours=1)
"""How long a client or stakeholder message keeps retrying before it is given up."""

URGENT_DELIVERY_DEADLINE = timedelta(minutes=15)
"""Pages and management escalations retry this long (a provider outage of 10 minutes is ridden
out), then fall back to another channel rather than arrive an hour late."""

URGENT_AUDIENCES = frozenset({"responders", "management"})

PAGING_STOPPED = "paging stopped: incident acknowledged or resolved"

CANCEL_GRACE = timedelta(seconds=1)
"""When paging stops while a delivery attempt is in flight, how long the attempt may finish
before its activity is cancelled. A running attempt cannot be stopped anyway (the activity does
not heartbeat); cancelling only stops its retries. Waiting lets the record say what really
happened, and keeps a cancel request from crossing the attempt's completion in one workflow
task, which the time-skipping test server rejects with ACTIVITY_UNKNOWN and never recovers from
(temporalio/sdk-java#2391; the real server accepts it)."""
