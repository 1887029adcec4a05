"""How long one delivery attempt may take: one source for the transports and the workflows.

The transports give every provider request PROVIDER_REQUEST_TIMEOUT; the workflows give the
delivery activity DELIVERY_ATTEMPT_TIMEOUT as its start-to-close timeout. When a worker dies with
a request on the wire, nothing reports the attempt: the server retries it only once this timeout
passes, so it must be no longer than a request can take plus rendering, or the page waits for
nothing. (Workflows may import this; they may not import `activities`.)
"""

from __future__ import annotations

from datetime import timedelta

PROVIDER_REQUEST_TIMEOUT = timedelta(seconds=10)
"""Per request to SendGrid or Twilio (the SDKs' socket timeout)."""

RENDERING_MARGIN = timedelta(seconds=3)
"""Rendering the templates and building the request take milliseconds; the rest is slack for a
busy worker between picking the task up and the request leaving."""

DELIVERY_ATTEMPT_TIMEOUT = PROVIDER_REQUEST_TIMEOUT + RENDERING_MARGIN
"""Start-to-close timeout of `deliver_notification` and `deliver_final_report`."""
