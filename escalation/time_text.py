"""Times and durations as people read them: one home for every place that prints them.

Pure, so workflows (the UI's details panel), activities (reports) and the CLI all print the
same text for the same moment or span. (`durations.format_duration` is different: it writes a
duration back the way the policy file does.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_UNIT_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}


def human_duration(value: timedelta, *, units: str = "dhm", most: int = 3) -> str:
    """Whole units, largest first, zeros left out: `12m`, `1h 5m`, `1d 1h 1m`.

    `units` are the ones it may use, largest first (`hm` reads 64 hours as `64h`); `most` how
    many units it shows from the largest one that is not zero (`dhms` with 2: `1d 3h`, `12m 30s`).
    A span under the smallest unit is told in seconds; nothing at all is `0` of that unit.
    """
    total = max(int(value.total_seconds()), 0)
    smallest = _UNIT_SECONDS[units[-1]]
    if total < smallest:
        return f"{total}s" if total else f"0{units[-1]}"
    parts: list[str] = []
    rest = total
    for unit in units:
        count, rest = divmod(rest, _UNIT_SECONDS[unit])
        if parts or count:
            parts.append(f"{count}{unit}")
    shown = [part for part in parts[:most] if not part.startswith("0")]
    return " ".join(shown)


def relative(delta: timedelta) -> str:
    """`in 12m 30s` for the future, `3h 5m ago` for the past: the two largest units."""
    text = human_duration(abs(delta), units="dhms", most=2)
    return f"in {text}" if delta.total_seconds() >= 0 else f"{text} ago"


def utc_clock(at: datetime | None, *, seconds: bool = True) -> str:
    """`2026-11-22 18:00:00 UTC` (or to the minute), or `-` when there is no time."""
    if at is None:
        return "-"
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")
