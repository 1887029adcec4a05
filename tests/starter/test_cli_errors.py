"""The `escalation` console script as a person runs it: a bad setting or a failure outside the
command's Temporal call is one `error:` line and exit 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from starter.devserver import find_executable

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_POLICY = ROOT / "examples" / "policy.yaml"


def escalation(*args: str, stdout: int | None = subprocess.PIPE, **env: str) -> tuple[int, str]:
    """Exit code and stderr of `escalation <args>` against an address nothing listens on."""
    result = subprocess.run(
        [find_executable("escalation"), *args],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TEMPORAL_ADDRESS": "127.0.0.1:1",
            "TEMPORAL_CONFIG_FILE": "/nonexistent.toml",
        }
        | env,
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stderr


def test_a_bad_answer_timeout_is_one_line() -> None:
    code, stderr = escalation("status", "x", ESCALATION_CLI_TIMEOUT_SECONDS="30s")
    assert code == 1
    assert stderr == (
        "error: ESCALATION_CLI_TIMEOUT_SECONDS='30s': expected a number of seconds above 0 and "
        "up to 86400 (default 30)\n"
    )


def test_a_failure_while_printing_the_answer_is_one_line() -> None:
    """The output cannot be written (a full disk): raised while rendering, after the work."""
    with open("/dev/full", "w", encoding="utf-8") as full:
        code, stderr = escalation("policy", "check", str(EXAMPLE_POLICY), stdout=full.fileno())
    assert code == 1
    assert stderr == "error: No space left on device\n"
