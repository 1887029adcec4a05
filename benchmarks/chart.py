"""The lag chart: each run's distribution, and where the peers' built-in delays would fall."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from benchmarks.lag import LagResult
from benchmarks.results import LAG_P99_GOAL_MS

PEERS = (
    (5.0, "GoAlert engine cycle 5 s"),
    (60.0, "Iris loop 60 s"),
    (300.0, "Opsgenie SLA 5 min"),
)
GOAL_SECONDS = LAG_P99_GOAL_MS / 1000
HISTOGRAM_BINS = 60
FLOOR_SECONDS = 0.001
"""The log axis starts at 1 ms; a lag below it is drawn there."""


def draw_lag_chart(runs: list[LagResult], path: Path) -> None:
    """Histogram (ms) on the left; cumulative share on a log axis, with the peers, on the right."""
    figure, (histogram, cumulative) = plt.subplots(1, 2, figsize=(12, 4.5))
    longest = max(max(run.lags_s) for run in runs) * 1000
    bins = [longest * i / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS + 1)]
    for run in runs:
        workers = "1 worker" if run.workers == 1 else f"{run.workers} workers"
        label = f"{run.incidents:,} open incidents, {workers}"
        lags_ms = [lag * 1000 for lag in run.lags_s]
        share = [1 / len(lags_ms)] * len(lags_ms)
        histogram.hist(lags_ms, bins=bins, weights=share, alpha=0.6, label=label)
        ordered = sorted(max(lag, FLOOR_SECONDS) for lag in run.lags_s)
        shares = [(i + 1) / len(ordered) for i in range(len(ordered))]
        cumulative.step(ordered, shares, where="post", label=f"{label} (p99 {run.lag.p99:,.0f} ms)")
    histogram.set(
        title="Escalation lag: tier-2 page ran - tier-1 deadline",
        xlabel="lag (ms)",
        ylabel="share of incidents",
    )
    histogram.legend()
    cumulative.axvline(
        GOAL_SECONDS, color="green", linestyle=":", label=f"goal: p99 <= {GOAL_SECONDS:g} s"
    )
    for seconds, peer in PEERS:
        cumulative.axvline(seconds, color="grey", linestyle="--")
        cumulative.text(seconds, 0.05, f" {peer}", rotation=90, va="bottom", color="dimgrey")
    cumulative.set(
        xscale="log",
        xlim=(FLOOR_SECONDS, 600),
        ylim=(0, 1.02),
        title="Share of escalations on time, against the peers' built-in delay",
        xlabel="lag (s, log scale)",
        ylabel="share of incidents",
    )
    cumulative.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
