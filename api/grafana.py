"""Grafana Alerting's webhook contact point: Alertmanager's body plus a few keys, optionally
signed with HMAC-SHA256 over the raw body (or `timestamp:body` when a timestamp header is set).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

from api.alertmanager import Notification
from escalation.integrations import Integration

SIGNATURE_HEADER = "X-Grafana-Alerting-Signature"


class GrafanaNotification(Notification):
    """Grafana's webhook payload (`version: "1"`, with `state`, `title`, `message`, `orgId`)."""


class SignatureMissingSecret(RuntimeError):
    """The integration names a secret variable that is not set: our trouble, not the sender's."""


def signature_valid(integration: Integration, headers: Mapping[str, str], body: bytes) -> bool:
    """True when no secret is configured, or the signature matches in constant time."""
    if integration.signing_secret_env is None:
        return True
    secret = os.environ.get(integration.signing_secret_env)
    if not secret:
        raise SignatureMissingSecret(
            f"{integration.signing_secret_env} is not set: the Grafana signature cannot be checked"
        )
    signed = body
    if integration.signature_timestamp_header:
        timestamp = headers.get(integration.signature_timestamp_header, "")
        signed = timestamp.encode() + b":" + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode()
    presented = headers.get(SIGNATURE_HEADER, "").strip().lower().encode()
    return hmac.compare_digest(expected, presented)
