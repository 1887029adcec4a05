"""A real Alertmanager (Debian's prometheus-alertmanager), started by the test on loopback.

Its only receiver is a webhook pointing at the front door with the integration's bearer key;
alerts are posted to its v2 API exactly as Prometheus posts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from starter.devserver import free_port
from tests.polling import poll

EXECUTABLE = os.environ.get("ESCALATION_ALERTMANAGER", "prometheus-alertmanager")
CONFIG = """\
route:
  receiver: front-door
  group_by: [alertname, test_run]
  group_wait: 200ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: front-door
    webhook_configs:
      - url: {url}
        send_resolved: true
        http_config:
          authorization: {{type: Bearer, credentials: {key}}}
"""


@dataclass
class Alertmanager:
    """The running Alertmanager and its API."""

    api: httpx.AsyncClient
    log: Path

    async def post(self, alerts: list[dict[str, Any]]) -> None:
        """As Prometheus does: POST /api/v2/alerts with labels, annotations and times."""
        response = await self.api.post("/api/v2/alerts", json=alerts)
        assert response.status_code == 200, response.text

    @staticmethod
    def alert(labels: dict[str, str], summary: str, *, resolved: bool = False) -> dict[str, Any]:
        now = datetime.now(UTC)
        starts = now - timedelta(minutes=5)
        ends = now - timedelta(seconds=1) if resolved else now + timedelta(hours=1)
        return {
            "labels": labels,
            "annotations": {"summary": summary, "description": f"{summary} (from the test)"},
            "startsAt": starts.isoformat(),
            "endsAt": ends.isoformat(),
            "generatorURL": "http://prometheus.example/graph",
        }


def executable() -> str:
    found = shutil.which(EXECUTABLE) or shutil.which("alertmanager")
    if not found:
        pytest.fail(
            "prometheus-alertmanager is not installed: `make test` installs it "
            "(apt-get install prometheus-alertmanager), or set ESCALATION_ALERTMANAGER"
        )
    return found


def _start(workdir: Path, webhook_url: str, key: str) -> tuple[subprocess.Popen[bytes], int, Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "alertmanager.yml"
    config.write_text(CONFIG.format(url=webhook_url, key=key))
    port = free_port()
    log = workdir / "alertmanager.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                executable(),
                f"--config.file={config}",
                f"--storage.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
                "--log.level=debug",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return process, port, log


@contextlib.asynccontextmanager
async def alertmanager(workdir: Path, webhook_url: str, key: str) -> AsyncIterator[Alertmanager]:
    """Alertmanager on a free port, clustering off, state in `workdir`; stopped afterwards."""
    process, port, log = _start(workdir, webhook_url, key)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as api:

            async def ready() -> int:
                if process.poll() is not None:
                    raise AssertionError(f"alertmanager exited; see {log}")
                return (await api.get("/-/ready")).status_code

            await poll(
                ready, lambda code: code == 200, "alertmanager ready", retry_on=(httpx.HTTPError,)
            )
            yield Alertmanager(api, log)
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)
