"""Integration keys: made at random, stored as SHA-256 digests, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from escalation.integrations import Integration

KEY_BYTES = 32


def new_key() -> str:
    """A fresh random key for a sender (URL-safe, 43 characters)."""
    return secrets.token_urlsafe(KEY_BYTES)


def key_digest(key: str) -> str:
    """The hex SHA-256 a policy file holds in `key_sha256`."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class KeyMatch:
    """Which integration a presented key belongs to, if any."""

    name: str
    integration: Integration


def find_integration(key: str | None, integrations: dict[str, Integration]) -> KeyMatch | None:
    """The integration holding this key, comparing digests in constant time.

    Every stored digest is compared, whatever matched first, so the time taken says nothing
    about which integration (or which of its keys) a guess came close to.
    """
    presented = key_digest(key or "").encode()
    found: KeyMatch | None = None
    for name, integration in integrations.items():
        for digest in integration.key_sha256:
            if hmac.compare_digest(presented, digest.encode()) and key:
                found = found or KeyMatch(name, integration)
    return found


def bearer_key(authorization: str | None) -> str | None:
    """The key of an `Authorization: Bearer <key>` header; None when absent or another scheme."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()
