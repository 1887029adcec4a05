"""Email through SendGrid's v3 Mail Send API, with the official `sendgrid` SDK.

Delivery is at least once: Mail Send has no idempotency key, so when SendGrid accepted a message
but the answer was lost (timeout, dropped connection), the activity's retry sends it again and the
recipient gets a duplicate. The `notification_id` custom arg lets the two be recognised in the
SendGrid activity feed. Retries are bounded by the workflow's delivery deadline.
"""

from __future__ import annotations

import http.client
import logging
from email.utils import parseaddr
from typing import Any

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient

from activities.provider_errors import (
    is_permanent_status,
    permanent,
    provider_delay,
    transient,
)
from escalation.delivery_timing import PROVIDER_REQUEST_TIMEOUT
from escalation.messages import DeliveryReceipt, ProviderAnswer, RenderedMessage

SENDGRID_API = "https://api.sendgrid.com"
DEFAULT_TIMEOUT_SECONDS = PROVIDER_REQUEST_TIMEOUT.total_seconds()
"""Per request; the activity's start-to-close timeout is sized from the same constant."""

log = logging.getLogger(__name__)


def sendgrid_client(api_key: str, base_url: str | None = None) -> SendGridAPIClient:
    """A client for SendGrid or, with `base_url`, for a proxy or test double speaking its API."""
    _keep_sdk_debug_log_quiet()
    return SendGridAPIClient(api_key=api_key, host=(base_url or SENDGRID_API).rstrip("/"))


class SendGridTransport:
    """Sends a rendered email (text and HTML) and returns SendGrid's X-Message-Id as receipt."""

    def __init__(
        self,
        client: SendGridAPIClient,
        sender: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        name, address = parseaddr(sender)
        if "@" not in address:
            raise ValueError(f"not an email address for the sender: {sender!r}")
        self.client = client
        self.sender: dict[str, str] = {"email": address, **({"name": name} if name else {})}
        self.timeout = timeout
        _keep_sdk_debug_log_quiet()

    def send(self, message: RenderedMessage) -> DeliveryReceipt:
        """Deliver once; refusals raise a non-retryable error, 429/5xx/network ones retryable."""
        secrets = [self._api_key()]
        try:
            response = self.client.client.mail.send.post(
                request_body=self.request_body(message), timeout=self.timeout
            )
        except HTTPError as error:
            raise _refusal(error, secrets) from None
        except (OSError, http.client.HTTPException) as error:
            # URLError (refused, DNS), TimeoutError and dropped connections are all OSErrors.
            raise transient(f"SendGrid unreachable: {_network_reason(error)}", secrets) from None
        provider_id = response.headers.get("X-Message-Id")
        log.info("email %s accepted by SendGrid as %s", message.notification_id, provider_id)
        return DeliveryReceipt(status="sent", provider_id=provider_id)

    def request_body(self, message: RenderedMessage) -> dict[str, Any]:
        """The Mail Send JSON: plain text first, then HTML (the order SendGrid requires)."""
        content = [{"type": "text/plain", "value": message.text}]
        if message.html:
            content.append({"type": "text/html", "value": message.html})
        custom_args = {
            "incident_id": message.incident_id,
            "notification_id": message.notification_id,
        }
        body: dict[str, Any] = {
            "personalizations": [{"to": [{"email": message.to}]}],
            "from": self._from(message),
            "subject": message.subject,
            "content": content,
            "custom_args": {key: value for key, value in custom_args.items() if value},
        }
        if message.purpose:
            body["categories"] = [message.purpose]
        if message.sender and message.sender.reply_to:
            body["reply_to"] = {"email": message.sender.reply_to}
        return body

    def _from(self, message: RenderedMessage) -> dict[str, str]:
        """A client's brand as sender: its address, else the house address under its name."""
        if message.sender is None:
            return self.sender
        email = message.sender.email or self.sender["email"]
        name = message.sender.name or self.sender.get("name")
        return {"email": email, **({"name": name} if name else {})}

    def _api_key(self) -> str:
        authorization = str(self.client.client.request_headers.get("Authorization", ""))
        return authorization.removeprefix("Bearer ")


def _refusal(error: HTTPError, secrets: list[str]) -> Exception:
    status = int(error.status_code)
    detail = f"SendGrid answered {status}: {_error_text(error)}"
    answer = ProviderAnswer(provider="sendgrid", status=status, address_usable=True)
    if is_permanent_status(status):
        return permanent(detail, secrets, answer=answer)
    return transient(
        detail,
        secrets,
        rate_limited=status == 429,
        retry_after=provider_delay(error.headers),
        answer=answer,
    )


def _error_text(error: HTTPError) -> str:
    """The first message of SendGrid's `{"errors": [{"message": ...}]}`, else the reason phrase."""
    try:
        errors = error.to_dict.get("errors") or []
        messages = [str(item.get("message")) for item in errors if item.get("message")]
    except (ValueError, AttributeError, UnicodeDecodeError):
        messages = []
    return "; ".join(messages) or str(error.reason or "no detail")


def _network_reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return type(reason).__name__ + (f": {reason}" if str(reason) else "")


def _keep_sdk_debug_log_quiet() -> None:
    """python_http_client logs request headers, the API key included, at DEBUG: never emit it."""
    logging.getLogger("python_http_client").setLevel(logging.INFO)
