"""Distributions as the report states them (nearest-rank percentiles, in milliseconds), and the
phases of a measurement pooled into one sample."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

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


class Phase(Protocol):
    """One timed stretch of a run: what completed, how long it took, each latency, and each
    process's CPU use as a share of one core."""

    @property
    def completed(self) -> int: ...
    @property
    def seconds(self) -> float: ...
    @property
    def latencies(self) -> list[float]: ...
    @property
    def cpu(self) -> dict[str, float]: ...


@dataclass(frozen=True)
class Pooled:
    """Phases taken together: CPU as seconds used, so each phase weighs by its length."""

    completed: int
    seconds: float
    latency: Distribution
    cpu_seconds: dict[str, float]


def pool(phases: Sequence[Phase]) -> Pooled:
    """The phases as one sample; each must have measured something."""
    latency = Distribution.of_seconds([value for p in phases for value in p.latencies])
    assert latency is not None
    return Pooled(
        completed=sum(p.completed for p in phases),
        seconds=sum(p.seconds for p in phases),
        latency=latency,
        cpu_seconds={name: sum(p.cpu[name] * p.seconds for p in phases) for name in phases[0].cpu},
    )


def slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of y against x; None unless x takes at least two values."""
    if len({x for x, _ in points}) < 2:
        return None
    return statistics.linear_regression([x for x, _ in points], [y for _, y in points]).slope
