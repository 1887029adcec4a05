"""About one message per second per channel, Slack's posting limit, across this worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

SLACK_MESSAGE_INTERVAL = 1.0


class ChannelPacer:
    """Spaces the messages posted to one channel; channels do not wait for each other."""

    def __init__(
        self,
        interval: float = SLACK_MESSAGE_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._clock, self._sleep = clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_turn(self, channel: str) -> None:
        """Block until this channel may take another message, and book the slot."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(channel, now))
            self._next[channel] = slot + self.interval
        if slot > now:
            self._sleep(slot - now)
