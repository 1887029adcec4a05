"""The report's arithmetic: the least-squares slope behind "worker RSS per open incident"."""

from __future__ import annotations

import pytest

from benchmarks.figures import slope


def test_slope_of_samples_on_a_line_is_the_line_s() -> None:
    assert slope([(0, 100.0), (1000, 210.0), (2000, 320.0)]) == pytest.approx(0.11)


def test_slope_fits_scattered_samples_by_least_squares() -> None:
    assert slope([(0, 0.0), (1, 1.0), (2, 1.0), (3, 2.0)]) == pytest.approx(0.6)


def test_no_slope_without_two_distinct_counts() -> None:
    assert slope([]) is None
    assert slope([(500, 180.0), (500, 190.0)]) is None
