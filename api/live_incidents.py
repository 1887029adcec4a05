"""Dedup keys whose incident this service just opened or joined: repeats go straight to it.

A repeat of a live key is signalled to its incident without the describe `open_incident` makes
to find it. Entries last LIVE_SECONDS, and a clear through this service forgets its key at
once; if the incident closed in between, the signal fails and the repeat takes the full path.
The only window: an incident resolved by someone else less than LIVE_SECONDS ago takes the
repeat as "alert ignored (already resolved)" on its timeline instead of opening a successor,
the same race `open_incident` itself has between its describe and its signal, held a little
longer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

LIVE_SECONDS = 2.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class LiveIncident:
    """Where a dedup key's alerts went last, and its summary line."""

    key: str
    summary: str
    until: float


class LiveIncidents:
    """A small map with expiry; the oldest entries go first when it is full."""

    def __init__(self, seconds: float = LIVE_SECONDS) -> None:
        self.seconds = seconds
        self._entries: dict[str, LiveIncident] = {}

    def get(self, dedup_key: str) -> LiveIncident | None:
        entry = self._entries.get(dedup_key)
        if entry is not None and entry.until < time.monotonic():
            del self._entries[dedup_key]
            return None
        return entry

    def remember(self, dedup_key: str, key: str, summary: str) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]
        self._entries.pop(dedup_key, None)
        self._entries[dedup_key] = LiveIncident(key, summary, time.monotonic() + self.seconds)

    def forget(self, dedup_key: str) -> None:
        self._entries.pop(dedup_key, None)
