"""Durations as operators write them in the policy: `30s`, `15m`, `4h`, `1d` or ISO 8601."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

_SHORT_FORM = re.compile(r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>[smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

MAX_DURATION = timedelta(days=3650)
"""About ten years: far beyond any SLA or reminder, yet `now + duration` can never overflow."""
_TOO_LONG = "must be at most 3650d (about ten years)"


def parse_short_duration(value: Any) -> Any:
    """Turn `15m`-style strings into timedeltas; leave ISO 8601 and numbers to pydantic."""
    if isinstance(value, str):
        match = _SHORT_FORM.match(value)
        if match:
            seconds = float(match["amount"]) * _UNIT_SECONDS[match["unit"]]
            if seconds > MAX_DURATION.total_seconds():
                raise ValueError(f"{_TOO_LONG}, got {value!r}")
            return timedelta(seconds=seconds)
        if not value.strip().upper().startswith("P"):
            raise ValueError(
                f"expected a duration such as 30s, 15m, 4h, 1d or PT15M, got {value!r}"
            )
    return value


def format_duration(value: timedelta) -> str:
    """Render a duration the way the policy file writes it (largest exact unit)."""
    seconds = int(value.total_seconds())
    if seconds and value.total_seconds() == seconds:
        for unit in ("w", "d", "h", "m"):
            size = _UNIT_SECONDS[unit]
            if seconds % size == 0:
                return f"{seconds // size}{unit}"
        return f"{seconds}s"
    # Fixed-point: `5e-05s` (what str() gives for tiny floats) would not parse back.
    return f"{value.total_seconds():.6f}".rstrip("0").rstrip(".") + "s"


def _must_be_positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be a positive duration such as 15m")
    if value > MAX_DURATION:
        raise ValueError(_TOO_LONG)
    return value


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_short_duration),
    AfterValidator(_must_be_positive),
    PlainSerializer(format_duration, return_type=str),
]
"""A timedelta that accepts `30s`/`15m`/`4h`/`1d`/ISO 8601 and serializes back to the short form."""
