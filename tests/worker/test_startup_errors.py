"""`python -m worker` started wrong: one `error:` line naming the real cause, exit 1, no traceback.

Every setting is checked before the worker connects, so a broken policy is reported as such even
while the server is down too; only a failed connection says "cannot reach Temporal".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import EXAMPLE_POLICY, WorkerProcess, dev_stack

UNREACHABLE = "127.0.0.1:1"


def start_worker(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The worker against nothing: each case here must fail before it needs a server."""
    return subprocess.run(
        [sys.executable, "-m", "worker"],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TEMPORAL_ADDRESS": UNREACHABLE,
            "ESCALATION_POLICY": str(EXAMPLE_POLICY),
            "ESCALATION_OUTBOX": str(tmp_path / "outbox.jsonl"),
        }
        | env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def the_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    return line


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        (
            "ESCALATION_SHUTDOWN_GRACE_SECONDS",
            "20s",
            "expected a number of seconds from 0 up to 86400 (default 20)",
        ),
        (
            "ESCALATION_WORKFLOW_CACHE",
            "10k",
            "expected a whole number from 0 to 1000000 (default 1000)",
        ),
        (
            "ESCALATION_WORKFLOW_CACHE",
            "2000000",
            "expected a whole number from 0 to 1000000 (default 1000)",
        ),
        ("ESCALATION_GC_PACING", "yes", "expected 'on' or 'off'"),
    ],
)
def test_a_bad_setting_is_one_line(tmp_path: Path, setting: str, value: str, expected: str) -> None:
    result = start_worker(tmp_path, **{setting: value})
    assert the_error_line(result) == f"error: {setting}={value!r}: {expected}"


def test_a_bad_provider_url_is_one_line_without_its_credentials(tmp_path: Path) -> None:
    result = start_worker(
        tmp_path,
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN="token",
        TWILIO_FROM_NUMBER="+15555550100",
        TWILIO_BASE_URL="http://user:s3cret@127.0.0.1:port/",
    )
    assert the_error_line(result) == (
        "error: TWILIO_BASE_URL: expected an http(s) URL such as https://proxy.example:8443"
    )
    assert "s3cret" not in result.stderr + result.stdout


def test_a_broken_policy_is_reported_before_an_unreachable_server(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    text = EXAMPLE_POLICY.read_text(encoding="utf-8")
    policy.write_text(
        text.replace(
            "channels: [sms, email], review: required, review_",
            "channels: [sms, pigeon], review: required, review_",
            1,
        )
    )
    result = start_worker(tmp_path, ESCALATION_POLICY=str(policy))
    line = the_error_line(result)
    assert line == (
        f"error: {policy}: invalid policy: severities.critical.channels[1]: 'pigeon' is not one "
        "of email, sms, voice (line 14)"
    )


def test_an_unreachable_server_says_where_it_looked(tmp_path: Path) -> None:
    line = the_error_line(start_worker(tmp_path))
    assert line.startswith(f"error: cannot reach Temporal at {UNREACHABLE}: connection refused")


@pytest.mark.e2e
async def test_a_server_that_answers_is_never_called_unreachable(tmp_path: Path) -> None:
    """A namespace that does not exist: the server is there, and says what is wrong."""
    async with dev_stack(tmp_path) as stack:
        worker = await WorkerProcess.start(stack, env={"TEMPORAL_NAMESPACE": "no-such-namespace"})
        code = await worker.process.wait()
        log = worker.log()
    assert code == 1
    assert "Traceback" not in log
    [line] = [line for line in log.splitlines() if line.startswith("error: ")]
    assert "cannot reach" not in line
    assert "no-such-namespace" in line
