"""A Twilio REST client for the delivery activity: bounded timeout, base URL override, headers kept."""

from __future__ import annotations

import threading
from typing import Any

from requests.adapters import HTTPAdapter
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from escalation.delivery_timing import PROVIDER_REQUEST_TIMEOUT

DEFAULT_TIMEOUT_SECONDS = PROVIDER_REQUEST_TIMEOUT.total_seconds()
"""Per request; the activity's start-to-close timeout is sized from the same constant."""

CONNECTION_POOL_SIZE = 32
"""Matches the worker's delivery threads (the SDK's default pool keeps only cpu_count + 4)."""


class HeaderKeepingHttpClient(TwilioHttpClient):
    """Remembers each thread's last response: TwilioRestException drops its Retry-After header."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        super().__init__(timeout=timeout)
        self._last = threading.local()
        if self.session is not None:
            for prefix in ("https://", "http://"):
                self.session.mount(prefix, HTTPAdapter(pool_maxsize=CONNECTION_POOL_SIZE))

    def request(self, *args: Any, **kwargs: Any) -> Response:
        """The SDK's request, keeping the response for this thread."""
        self._last.response = None
        response = super().request(*args, **kwargs)
        self._last.response = response
        return response

    def last_response(self) -> Response | None:
        """The response this thread received last, or None when the request never got one."""
        return getattr(self._last, "response", None)


def twilio_client(
    account_sid: str,
    auth_token: str,
    *,
    base_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> Client:
    """A client for Twilio or, with `base_url`, for a proxy or test double speaking its API."""
    client = Client(account_sid, auth_token, http_client=HeaderKeepingHttpClient(timeout))
    if base_url:
        # Domains build URLs from `base_url`; an edge or region (TWILIO_EDGE, TWILIO_REGION)
        # would rewrite the host to *.twilio.com, so both are cleared for an override.
        client.api.base_url = base_url.rstrip("/")
        client.edge = None
        client.region = None
    return client
