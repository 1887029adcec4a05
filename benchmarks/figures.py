"""Distributions as the report states them: nearest-rank percentiles, in milliseconds."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the sample at or below it."""
    rank = max(math.ceil(p / 100 * len(sorted_values)), 1)
    return sorted_values[rank - 1]


class Distribution(BaseModel):
    """A sample summarised; every figure in milliseconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of_seconds(cls, seconds: Sequence[float]) -> Distribution | None:
        """None for an empty sample (a scenario that measured nothing says so)."""
        if not seconds:
            return None
        ordered = sorted(value * 1000 for value in seconds)
        return cls(
            count=len(ordered),
            p50=round(percentile(ordered, 50), 1),
            p95=round(percentile(ordered, 95), 1),
            p99=round(percentile(ordered, 99), 1),
            max=round(ordered[-1], 1),
        )


def slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of y against x; None unless x takes at least two values."""
    if not points:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
