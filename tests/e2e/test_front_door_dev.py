"""End to end through `escalation dev`: curl an Alertmanager payload at the printed URL, the
incident pages tier 1; curl the resolved payload, the incident is resolved."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from escalation.incident import IncidentState
from starter.devserver import find_executable, free_port
from starter.incidents import IncidentNotFound, IncidentNotReady, incident_status
from tests.api.conftest import KEYS, unique
from tests.api.payloads import alertmanager_notification
from tests.conftest import EXAMPLE_POLICY
from tests.polling import poll
from workflows.failures import DATA_CONVERTER

pytestmark = pytest.mark.e2e

STARTUP_SECONDS = 90.0
STOP_SECONDS = 30.0


def curl(url: str, body: dict[str, object]) -> dict[str, object]:
    """POST the body as a sender would, with curl; the parsed answer (a 2xx, or curl fails)."""
    result = subprocess.run(
        [
            "curl",
            "-sS",
            "--fail-with-body",
            "-X",
            "POST",
            url,
            "-H",
            f"Authorization: Bearer {KEYS['prometheus']}",
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            json.dumps(body),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def start_dev(
    workdir: Path, env: dict[str, str], port: int, ui_port: int, out: Path
) -> subprocess.Popen[bytes]:
    """`escalation dev` as a person types it, in its own directory, output to `out`."""
    with out.open("wb") as sink:
        return subprocess.Popen(
            [
                find_executable("escalation"),
                "dev",
                "--port",
                str(port),
                "--ui-port",
                str(ui_port),
                "--db-file",
                str(workdir / "temporal.db"),
            ],
            cwd=workdir,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


async def intake_url(dev: subprocess.Popen[bytes], out: Path) -> str:
    """The HTTP intake URL `escalation dev` prints once it is ready."""

    async def printed() -> str:
        text = await asyncio.to_thread(out.read_text)
        assert dev.poll() is None, f"escalation dev exited: {text}"
        return text

    text = await poll(printed, lambda t: "HTTP intake:" in t, "dev stack ready", STARTUP_SECONDS)
    found = re.search(r"HTTP intake:\s+(\S+)", text)
    assert found, text
    return found[1]


async def stop_dev(dev: subprocess.Popen[bytes]) -> None:
    """Ctrl-C, as a person stops it; killed if it does not stop in time."""
    dev.send_signal(signal.SIGINT)
    try:
        await asyncio.to_thread(dev.wait, STOP_SECONDS)
    except subprocess.TimeoutExpired:
        dev.kill()
        await asyncio.to_thread(dev.wait)


def critical(payload: dict[str, Any]) -> dict[str, Any]:
    """`severity: page`, which the example integration maps to critical (review required)."""
    payload["commonLabels"]["severity"] = "page"
    return payload


async def test_alertmanager_payload_through_escalation_dev(tmp_path: Path) -> None:
    port, ui_port, http_port = free_port(), free_port(), free_port()
    env = os.environ | {
        "ESCALATION_POLICY": str(EXAMPLE_POLICY),
        "ESCALATION_HTTP_ADDRESS": f"127.0.0.1:{http_port}",
        "ESCALATION_OUTBOX": str(tmp_path / "outbox.jsonl"),
    }
    out = tmp_path / "dev.out"
    dev = start_dev(tmp_path, env, port, ui_port, out)
    try:
        url = f"{await intake_url(dev, out)}/v1/integrations/alertmanager"
        assert url.startswith(f"http://127.0.0.1:{http_port}/")

        service = unique("svc")
        fired = await asyncio.to_thread(curl, url, critical(alertmanager_notification(service)))
        [incident] = fired["incidents"]  # type: ignore[misc]
        assert incident["outcome"] == "opened"
        client = await Client.connect(f"127.0.0.1:{port}", data_converter=DATA_CONVERTER)

        async def state_when(condition, what: str) -> IncidentState:  # type: ignore[no-untyped-def]
            return await poll(
                lambda: incident_status(client, incident["key"]),
                condition,
                what,
                retry_on=(IncidentNotReady, IncidentNotFound),
                every=0.2,
            )

        paged = await state_when(
            lambda s: any(n.purpose == "page" for n in s.notifications), "tier 1 paged"
        )
        assert (paged.status, paged.tier, paged.service) == ("triggered", 1, service)
        assert paged.severity == "critical"

        cleared = await asyncio.to_thread(
            curl, url, critical(alertmanager_notification(service, "resolved"))
        )
        assert cleared["incidents"][0]["outcome"] == "resolved"  # type: ignore[index]
        resolved = await state_when(lambda s: s.status == "resolved", "resolved")
        assert resolved.resolution is not None
        assert resolved.resolution.cause.startswith("cleared by alertmanager")
    finally:
        await stop_dev(dev)
