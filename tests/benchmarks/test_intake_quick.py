"""`python -m benchmarks.intake --quick` runs end to end and writes what it measured.

It asserts what was measured, never how fast: timings depend on the machine and its load.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.intake import QUICK, IntakeResult
from tests.benchmarks.runs import run_quick

pytestmark = pytest.mark.e2e

RUN_DEADLINE_SECONDS = 300.0


def test_quick_intake_run(tmp_path: Path) -> None:
    run_quick("benchmarks.intake", tmp_path, RUN_DEADLINE_SECONDS)
    result = IntakeResult.model_validate_json((tmp_path / "results.json").read_text())
    planned = QUICK.alerts * QUICK.rounds
    for kind in (result.new, result.repeat):
        assert kind.direct.accepted == kind.http.accepted == planned
        assert kind.http.latency.count == planned
        assert kind.ratio > 0
    assert 0 < result.signals_per_http_repeat <= 1
    assert "| repeat | HTTP |" in (tmp_path / "results.md").read_text()
