"""Running a benchmark module as a person does, bounded, failing with the end of its stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_quick(module: str, out: Path, deadline_seconds: float) -> None:
    """`python -m <module> --quick --out <out>` from the repository root; asserts it succeeded."""
    finished = subprocess.run(
        [sys.executable, "-m", module, "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=deadline_seconds,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
