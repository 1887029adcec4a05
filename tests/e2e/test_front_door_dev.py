"""End to end through `escalation dev`: curl an Alertmanager payload at the printed URL, the
incident pages tier 1; curl the resolved payload, the incident is resolved."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from escalation.incident import IncidentState
from starter.devserver import free_port
from tests.api.conftest import KEYS, unique
from tests.api.payloads import alertmanager_notification
from tests.e2e.dev_stack import dev_environment, incident_state_when, intake_url, running_dev
from wiring.temporal import DATA_CONVERTER

pytestmark = pytest.mark.e2e


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


def critical(payload: dict[str, Any]) -> dict[str, Any]:
    """`severity: page`, which the example integration maps to critical (review required)."""
    payload["commonLabels"]["severity"] = "page"
    return payload


async def test_alertmanager_payload_through_escalation_dev(tmp_path: Path) -> None:
    port, ui_port, http_port = free_port(), free_port(), free_port()
    env = dev_environment(tmp_path, http_port)
    async with running_dev(tmp_path, env, port, ui_port) as text:
        url = f"{intake_url(text)}/v1/integrations/alertmanager"
        assert url.startswith(f"http://127.0.0.1:{http_port}/")

        service = unique("svc")
        fired = await asyncio.to_thread(curl, url, critical(alertmanager_notification(service)))
        [incident] = fired["incidents"]  # type: ignore[misc]
        assert incident["outcome"] == "opened"
        client = await Client.connect(f"127.0.0.1:{port}", data_converter=DATA_CONVERTER)

        async def state_when(condition, what: str) -> IncidentState:  # type: ignore[no-untyped-def]
            return await incident_state_when(client, incident["key"], condition, what)

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
