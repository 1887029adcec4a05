"""Hypothesis strategies shared by the property tests of weekly calendars: business hours and
on-call restrictions are both "these days, from this time to that time" in a zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


def reproducible(max_examples: int) -> settings:
    """Reproducible runs: the same examples every time, nothing remembered between runs."""
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None)


def clocks(minutes: Sequence[int]) -> st.SearchStrategy[str]:
    """Times of day as the policy writes them (`09:30`), on the given minutes of the hour."""
    return st.builds(
        lambda hour, minute: f"{hour:02d}:{minute:02d}",
        st.integers(0, 23),
        st.sampled_from(list(minutes)),
    )


def weekly_windows(clock: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    """One `{days, from, to}` window of a week, as written in the policy."""
    return st.fixed_dictionaries(
        {
            "days": st.lists(st.sampled_from(DAYS), min_size=1, unique=True),
            "from": clock,
            "to": clock,
        }
    )
