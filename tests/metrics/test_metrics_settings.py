"""ESCALATION_METRICS_ADDRESS, the shipped alerting rule, and the bounded `service` label."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from escalation.policy_loader import load_policy
from starter.devserver import free_port
from tests.metrics.prometheus import debian_binary
from worker.metrics import MetricsAddressInvalid, next_port, parse_address
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


def test_the_second_process_of_the_dev_stack_gets_the_next_port() -> None:
    assert next_port("127.0.0.1:9464") == "127.0.0.1:9465"


def test_a_malformed_address_is_one_line_before_the_worker_connects(tmp_path: Path) -> None:
    """Nothing listens on the Temporal address: a connection attempt would say so instead."""
    env = {
        "PATH": "/usr/bin:/bin",
        "ESCALATION_POLICY": str(POLICY),
        "ESCALATION_OUTBOX": str(tmp_path / "outbox.jsonl"),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "ESCALATION_METRICS_ADDRESS": "localhost:9464",
    }
    finished = subprocess.run(
        [sys.executable, "-m", "worker"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1
    assert finished.stderr.strip().splitlines() == [
        "error: ESCALATION_METRICS_ADDRESS must be IP:PORT, e.g. 127.0.0.1:9464; "
        "got 'localhost:9464'"
    ]


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
