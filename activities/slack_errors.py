"""Slack's answers as Temporal errors: rate limits and outages retry, refusals stop."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from slack_sdk.errors import SlackApiError, SlackClientError
from temporalio.exceptions import ApplicationError

from activities.provider_errors import permanent, provider_delay, transient

T = TypeVar("T")

TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
"""Slack `error` codes that mean "not now": retried."""


def slack_call(call: Callable[[], T], token: str) -> T:
    """`call()`, with Slack's failures turned into retryable or final ApplicationErrors."""
    try:
        return call()
    except SlackApiError as error:
        raise slack_refusal(error, token) from None
    except (SlackClientError, OSError) as error:  # no answer: refused, reset, timed out
        raise transient(f"Slack did not answer: {type(error).__name__}: {error}", [token]) from None


def slack_refusal(error: SlackApiError, token: str) -> ApplicationError:
    """The error to raise for Slack's `ok: false` (or HTTP error) answer."""
    response = error.response
    status = getattr(response, "status_code", 200)
    code = str(response.get("error", "")) if response is not None else ""
    detail = f"Slack answered {status} {code or 'error'}"
    if status == 429 or code == "ratelimited":
        delay = provider_delay(getattr(response, "headers", None))
        return transient(detail, [token], rate_limited=True, retry_after=delay)
    if status >= 500 or code in TRANSIENT_ERRORS:
        return transient(detail, [token])
    return permanent(detail, [token])
