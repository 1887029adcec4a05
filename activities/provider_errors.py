"""How a provider's answer becomes a Temporal error: final refusals stop, the rest retry.

The workflow's retry policy names PERMANENT_FAILURE as non-retryable and falls back to another
channel on it; every other ApplicationError type is retried with backoff, or after the provider's
own delay when it gave one (`next_retry_delay`). An exception that is none of these is a bug in
our own code: `our_bug` makes it final (OUR_BUG), so the workflow tries the next channel at once
instead of retrying the same failing code for up to an hour.
"""

from __future__ import annotations

import email.utils
import logging
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Protocol, TypeVar

from temporalio.exceptions import ApplicationError, FailureError

from escalation.messages import OUR_BUG, PERMANENT_FAILURE, ProviderAnswer

TRANSIENT_FAILURE = "TransientDeliveryFailure"
"""ApplicationError type for 5xx, timeouts and refused connections: retried with backoff."""

RATE_LIMITED = "DeliveryRateLimited"
"""ApplicationError type for 429: retried after the provider's reset time when it sent one."""

RETRYABLE_CLIENT_STATUSES = frozenset({408, 429})
"""4xx answers that mean "not now" rather than "never"."""

LONGEST_PROVIDER_DELAY = timedelta(minutes=10)
"""Cap on a provider-requested delay, so a bogus header cannot park a page for hours."""

SHORTEST_PROVIDER_DELAY = timedelta(seconds=1)

T = TypeVar("T")

DETAIL_LIMIT = 300
"""Characters of a provider's error text kept: it lands in workflow history."""


class Headers(Protocol):
    """Case-insensitive header lookup (http.client.HTTPMessage, requests' CaseInsensitiveDict)."""

    def get(self, name: str, default: None = None) -> str | None: ...


def is_permanent_status(status: int) -> bool:
    """A 4xx other than 408/429: the same request will be refused again."""
    return 400 <= status < 500 and status not in RETRYABLE_CLIENT_STATUSES


def permanent(
    detail: str, secrets: Iterable[str] = (), *, answer: ProviderAnswer | None = None
) -> ApplicationError:
    """A refusal no retry can fix: the workflow records it and tries the next channel."""
    return ApplicationError(
        redact(detail, secrets),
        *_details(answer),
        type=PERMANENT_FAILURE,
        non_retryable=True,
    )


def transient(
    detail: str,
    secrets: Iterable[str] = (),
    *,
    rate_limited: bool = False,
    retry_after: timedelta | None = None,
    answer: ProviderAnswer | None = None,
) -> ApplicationError:
    """A failure worth retrying; `retry_after` overrides the retry policy's backoff once."""
    return ApplicationError(
        redact(detail, secrets),
        *_details(answer),
        type=RATE_LIMITED if rate_limited else TRANSIENT_FAILURE,
        next_retry_delay=retry_after,
    )


def our_bug(deliver: Callable[[], T], log: logging.Logger, what: str) -> T:
    """`deliver()`, with any exception that is not a Temporal failure turned into OUR_BUG.

    Temporal's own failures pass untouched: the transports' ApplicationErrors, and the
    cancellation the SDK raises into the thread when the worker shuts down. The record in history
    names the exception's type and where it was raised, never its text (which could quote
    anything); the worker log has the whole traceback.
    """
    try:
        return deliver()
    except FailureError:
        raise
    except Exception as error:
        where = _raised_at(error)
        log.exception("%s failed in our own code at %s: not retried", what, where)
        raise ApplicationError(
            f"bug in the escalation service, not the provider: {type(error).__name__} at {where}"
            " (traceback in the worker log)",
            type=OUR_BUG,
            non_retryable=True,
        ) from None


def _raised_at(error: BaseException) -> str:
    """`file.py:line in function` of the innermost frame."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "unknown"
    frame = frames[-1]
    return f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}"


def provider_delay(headers: Headers | None, *, now: float | None = None) -> timedelta | None:
    """The wait a provider asked for: `X-RateLimit-Reset` (epoch seconds) or `Retry-After`."""
    if headers is None:
        return None
    current = time.time() if now is None else now
    seconds = _reset_in(headers.get("X-RateLimit-Reset"), current)
    if seconds is None:
        seconds = _retry_after(headers.get("Retry-After"), current)
    if seconds is None:
        return None
    delay = timedelta(seconds=seconds)
    return max(SHORTEST_PROVIDER_DELAY, min(delay, LONGEST_PROVIDER_DELAY))


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` without any secret in it, cut to DETAIL_LIMIT: error messages enter history."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text if len(text) <= DETAIL_LIMIT else text[: DETAIL_LIMIT - 3] + "..."


def _details(answer: ProviderAnswer | None) -> list[ProviderAnswer]:
    return [answer] if answer is not None else []


def _reset_in(value: str | None, now: float) -> float | None:
    try:
        return float(value) - now if value else None
    except ValueError:
        return None


def _retry_after(value: str | None, now: float) -> float | None:
    """Retry-After is either delta-seconds or an HTTP-date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() - now
    except (TypeError, ValueError):
        return None
