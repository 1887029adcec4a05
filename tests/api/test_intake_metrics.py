"""`escalation serve` counts its intake on ESCALATION_METRICS_ADDRESS, by sender kind and status.

A real `python -m api` process, with nothing listening where Temporal should be: refusals are
answered (and counted) without Temporal, which is all this needs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from starter.devserver import free_port
from tests.api.conftest import KEYS
from tests.conftest import EXAMPLE_POLICY
from tests.polling import poll

ROOT = Path(__file__).resolve().parents[2]
COMMON = 'service_name="temporal-core-sdk"'


@pytest.fixture
def front_door(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The served front door's base URL and its metrics URL."""
    http, metrics = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "ESCALATION_POLICY": str(EXAMPLE_POLICY),
        "ESCALATION_HTTP_ADDRESS": http,
        "ESCALATION_METRICS_ADDRESS": metrics,
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
    }
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "api"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield f"http://{http}", f"http://{metrics}/metrics"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def intake_samples(text: str) -> dict[str, str]:
    return {
        line.rsplit(" ", 1)[0]: line.rsplit(" ", 1)[1]
        for line in text.splitlines()
        if line.startswith("escalation_intake_requests_total{")
    }


async def test_refused_intake_is_counted_by_kind_and_status(front_door: tuple[str, str]) -> None:
    base, metrics = front_door
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        await poll(
            lambda: http.get("/healthz"),
            lambda answer: answer.status_code == 200,
            "the front door answering",
            retry_on=(httpx.TransportError,),
            every=0.1,
        )
        unauthorised = await http.post("/v1/alerts", json={"title": "t", "service": "s"})
        invalid = await http.post(
            "/v1/alerts", json={}, headers={"Authorization": f"Bearer {KEYS['generic']}"}
        )
        enqueue = await http.post("/v2/enqueue", json={"routing_key": "wrong"})
        assert [unauthorised.status_code, invalid.status_code] == [401, 400]

        scraped = await http.get(metrics)
    assert intake_samples(scraped.text) == {
        f'escalation_intake_requests_total{{integration="generic",{COMMON},status="401"}}': "1",
        f'escalation_intake_requests_total{{integration="generic",{COMMON},status="400"}}': "1",
        f'escalation_intake_requests_total{{integration="pagerduty",{COMMON},'
        f'status="{enqueue.status_code}"}}': "1",
    }
