"""Everything one run measured, and what it ran on: saved as results.json beside the report."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from benchmarks.history import HistoryResult
from benchmarks.lag import LagResult
from benchmarks.recovery import RecoveryResult
from benchmarks.throughput import ThroughputResult
from benchmarks.usage import Machine

LAG_P99_GOAL_MS = 500.0
ACK_P99_GOAL_MS = 300.0
"""An operator's `acknowledge` while the open incidents escalate: it must not queue behind them."""
RATIO_GOAL = 0.85
HISTORY_EVENTS_GOAL = 150
"""Events in the typical critical incident's own history (its review's are apart)."""
RSS_GOAL_MB = 300.0
RECOVERY_GOAL_MS = 5000.0
"""Every escalation due while the only worker was dead runs this soon after a replacement starts."""


class Results(BaseModel):
    """One run of `python -m benchmarks`."""

    mode: str
    command: str
    started_at: datetime
    wall_seconds: float = 0.0
    machine: Machine
    software: str
    worker: str
    lag: list[LagResult] = []
    throughput: ThroughputResult | None = None
    history: HistoryResult | None = None
    recovery: RecoveryResult | None = None
