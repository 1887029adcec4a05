"""A token bucket per integration: past it, the sender hears 429 with Retry-After."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from escalation.integrations import RateLimit


@dataclass
class Bucket:
    """`burst` tokens, refilled at `per_second`; one request takes one."""

    limit: RateLimit
    tokens: float = field(init=False)
    checked: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = float(self.limit.burst)

    def take(self) -> float | None:
        """None when the request may go ahead; else seconds until a token is free."""
        now = time.monotonic()
        self.tokens = min(
            self.limit.burst, self.tokens + (now - self.checked) * self.limit.per_second
        )
        self.checked = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.limit.per_second


class RateLimits:
    """One bucket per integration name; a changed limit in the policy starts a fresh bucket."""

    def __init__(self) -> None:
        self._buckets: dict[str, Bucket] = {}

    def retry_after(self, name: str, limit: RateLimit) -> int | None:
        """Whole seconds to wait (at least 1) when the integration is over its limit."""
        bucket = self._buckets.get(name)
        if bucket is None or bucket.limit != limit:
            bucket = self._buckets[name] = Bucket(limit)
        wait = bucket.take()
        return None if wait is None else max(1, math.ceil(wait))
