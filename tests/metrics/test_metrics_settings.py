"""ESCALATION_METRICS_ADDRESS, the shipped alerting rule, and the bounded `service` label."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from escalation.policy_loader import load_policy
from starter.devserver import free_port
from tests.metrics.prometheus import debian_binary
from wiring.metrics import (
    MetricsAddressInvalid,
    installed_meter,
    parse_address,
    record_intake,
)
from workflows.metrics import OTHER_SERVICE, service_label

ROOT = Path(__file__).resolve().parents[2]
POLICY = Path(__file__).resolve().parent / "metrics_policy.yaml"


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("127.0.0.1:9464", "127.0.0.1:9464"),
        (" 0.0.0.0:9000 ", "0.0.0.0:9000"),
        ("[::1]:9464", "[::1]:9464"),
    ],
)
def test_an_ip_and_port_is_accepted(value: str, address: str) -> None:
    assert parse_address(value) == address


@pytest.mark.parametrize(
    "value",
    ["9464", "localhost:9464", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:0", "1.2.3.4:70000"],
)
def test_anything_else_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(MetricsAddressInvalid, match="ESCALATION_METRICS_ADDRESS must be IP:PORT"):
        parse_address(value)


WORKER_COMMANDS = [
    [sys.executable, "-m", "worker"],
    [str(Path(sys.executable).parent / "escalation"), "worker"],
]


def _worker_fails(command: list[str], metrics_address: str, tmp_path: Path) -> list[str]:
    """The worker's `error:` lines (warnings may precede them); nothing listens on the Temporal
    address, so an attempt to connect would fail with another message."""
    env = {
        "PATH": "/usr/bin:/bin",
        "ESCALATION_POLICY": str(POLICY),
        "ESCALATION_OUTBOX": str(tmp_path / "outbox.jsonl"),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "ESCALATION_METRICS_ADDRESS": metrics_address,
    }
    finished = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1, finished.stderr
    assert "Traceback" not in finished.stderr + finished.stdout
    return [line for line in finished.stderr.splitlines() if line.startswith("error: ")]


@pytest.mark.parametrize("command", WORKER_COMMANDS, ids=["python -m worker", "escalation worker"])
def test_a_malformed_address_is_one_line_before_the_worker_connects(
    command: list[str], tmp_path: Path
) -> None:
    assert _worker_fails(command, "localhost:9464", tmp_path) == [
        "error: ESCALATION_METRICS_ADDRESS must be IP:PORT, e.g. 127.0.0.1:9464; "
        "got 'localhost:9464'"
    ]


def test_an_address_in_use_is_one_line_before_the_worker_connects(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        lines = _worker_fails(WORKER_COMMANDS[0], address, tmp_path)
    assert len(lines) == 1
    assert lines[0].startswith(f"error: cannot serve metrics on {address}: ")
    assert "in use" in lines[0]


INTAKE_SCRIPT = """
import sys, urllib.request
from wiring.metrics import install_metrics, record_intake
endpoint = install_metrics(sys.argv[1])
record_intake("alertmanager", 202)
record_intake("alertmanager", 202)
record_intake("generic", 422)
print(urllib.request.urlopen(endpoint.url, timeout=10).read().decode())
"""


def test_intake_requests_are_counted_by_integration_and_status() -> None:
    """In its own process: the SDK runtime becomes the process default and keeps its port."""
    scraped = subprocess.run(
        [sys.executable, "-c", INTAKE_SCRIPT, f"127.0.0.1:{free_port()}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    samples = {
        line.rsplit(" ", 1)[0]: line.rsplit(" ", 1)[1]
        for line in scraped.splitlines()
        if line.startswith("escalation_intake_requests_total{")
    }
    common = 'service_name="temporal-core-sdk"'
    assert samples == {
        f'escalation_intake_requests_total{{integration="alertmanager",{common},status="202"}}': "2",
        f'escalation_intake_requests_total{{integration="generic",{common},status="422"}}': "1",
    }


def test_recording_intake_without_an_endpoint_does_nothing() -> None:
    assert installed_meter() is None
    record_intake("alertmanager", 202)


def test_the_example_alerting_rules_pass_promtool() -> None:
    checked = subprocess.run(
        [
            debian_binary("promtool"),
            "check",
            "rules",
            str(ROOT / "docs" / "metrics" / "alerts.yml"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 2 rules found" in checked.stdout


def test_services_the_policy_does_not_name_share_one_label_value() -> None:
    policy = load_policy(POLICY)
    assert service_label(policy, "payments") == "payments"
    assert service_label(policy, "made-up-by-a-caller-7f3a") == OTHER_SERVICE
