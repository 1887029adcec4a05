"""`python -m benchmarks --quick` runs end to end and writes a well-formed report.

This keeps the runner from rotting; it asserts what was measured and written, never how fast:
timings depend on the machine and on whatever else runs on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.results import Results
from tests.benchmarks.runs import run_quick

pytestmark = pytest.mark.e2e

RUN_DEADLINE_SECONDS = 150.0
"""A hung run fails here instead of hanging the suite; a healthy one takes about 30 s."""


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("benchmarks")
    run_quick("benchmarks", out, RUN_DEADLINE_SECONDS)
    return out


def test_every_scenario_measured_what_it_planned(quick_run: Path) -> None:
    results = Results.model_validate_json((quick_run / "results.json").read_text())
    (lag,) = results.lag
    assert lag.lag.count == lag.escalated == lag.incidents == len(lag.lags_s)
    assert lag.early_pages == 0, "a tier-2 page ran before its incident's deadline"
    assert lag.rss_mb and lag.acks is not None
    throughput = results.throughput
    assert throughput is not None
    assert throughput.incident.completed == throughput.bare.completed > 0
    assert throughput.starts.completed > 0
    history = results.history
    assert history is not None
    incident, review = history.histories
    assert incident.workflow.startswith("incident-") and incident.events > 0
    assert review.workflow.startswith("review-") and review.events > 0
    recovery = results.recovery
    assert recovery is not None
    assert recovery.escalated == recovery.incidents == len(recovery.recovery_s)
    assert min(recovery.recovery_s) > recovery.startup.polling_s > 0, "escalated before polling"
    startup = recovery.startup
    assert 0 < startup.imports_s <= startup.connected_s <= startup.policy_s <= startup.polling_s
    assert results.machine.load_after is not None


def test_report_and_chart_are_written(quick_run: Path) -> None:
    report = (quick_run / "results.md").read_text()
    summary = [line for line in report.splitlines() if line.startswith("| ")]
    for measure in (
        "escalation lag p50 / p95 / p99 / max",
        "lifecycles per second, incident vs bare workflow",
        "worker RSS",
        "history of a typical critical incident",
        "start rate at the limit",
        "`acknowledge` update p50 / p99",
        "escalation after a replacement worker is spawned",
    ):
        assert any(line.startswith(f"| {measure}") for line in summary), measure
    lines = report.splitlines()
    table = lines.index("| measure | figure | goal |") + 2
    headlines = lines[table : lines.index("", table)]
    bare = next(line for line in headlines if "incident vs bare workflow" in line)
    bare_rate = bare.split(" vs ")[2].split(" = ")[0]
    for line in headlines:
        assert line is bare or f"(bare {bare_rate}/s)" in line, f"no yardstick in {line}"
    assert "![escalation lag](lag.png)" in report
    assert (quick_run / "lag.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
