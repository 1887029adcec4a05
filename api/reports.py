"""What a sender's payload asks for, format aside: alerts that fire, and alerts that clear."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from escalation.alerts import Alert


@dataclass(frozen=True)
class Fire:
    """Open an incident for this alert, or join the open one with its dedup key."""

    alert: Alert


@dataclass(frozen=True)
class Clear:
    """The monitor says the problem behind this dedup key is gone."""

    dedup_key: str
    title: str
    source: str
    resolve: bool


@dataclass(frozen=True)
class Acknowledge:
    """A PagerDuty sender acknowledges: someone is on it."""

    dedup_key: str
    source: str


Report = Fire | Clear | Acknowledge
Outcome = Literal["opened", "joined", "resolved", "noted", "acknowledged", "ignored"]


def digest(*parts: str, length: int = 32) -> str:
    """A short stable hex name for sender identifiers that do not fit a dedup key."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:length]


def integration_key(integration: str, identifier: str) -> str:
    """The dedup key for a sender's identifier, scoped to its integration."""
    return f"{integration}-{digest(identifier)}"
