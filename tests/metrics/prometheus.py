"""A real Prometheus (Debian's `prometheus` package) scraping one target, and its HTTP API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from starter.devserver import free_port
from tests.polling import poll

SCRAPE_INTERVAL = "1s"


def debian_binary(name: str) -> str:
    """`prometheus` or `promtool` from the Debian package `make test` installs."""
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; run `make test` (apt-get install prometheus)")
    return found


@dataclass
class Prometheus:
    """The server's address, to ask its HTTP API what it scraped."""

    address: str

    def _get(self, path: str, **params: str) -> dict:
        url = f"http://{self.address}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)

    async def query(self, expression: str) -> list[dict]:
        """An instant query's result vector (`[]` when nothing matches yet)."""
        answer = await asyncio.to_thread(self._get, "/api/v1/query", query=expression)
        assert answer["status"] == "success", answer
        return answer["data"]["result"]

    async def value(self, expression: str) -> float | None:
        """The single value of a query that aggregates to one sample, or None without samples."""
        result = await self.query(expression)
        return float(result[0]["value"][1]) if result else None

    async def metric_names(self) -> set[str]:
        answer = await asyncio.to_thread(self._get, "/api/v1/label/__name__/values")
        return set(answer["data"])

    async def wait_for(self, expression: str, expected: float, seconds: float = 60.0) -> float:
        """Until the query's single value equals `expected`; the last value is in the failure."""

        async def read() -> float | None:
            return await self.value(expression)

        return await poll(
            read,
            lambda value: value == expected,
            f"{expression} == {expected}",
            seconds,
            retry_on=(urllib.error.URLError, ConnectionError),
            every=0.5,
        )


@contextlib.asynccontextmanager
async def prometheus_scraping(target: str, workdir: Path) -> AsyncIterator[Prometheus]:
    """Prometheus on a free loopback port, scraping `target` every second, stopped on exit."""
    config = workdir / "prometheus.yml"
    config.write_text(
        f"global: {{scrape_interval: {SCRAPE_INTERVAL}, evaluation_interval: {SCRAPE_INTERVAL}}}\n"
        "scrape_configs:\n"
        "  - job_name: escalation-worker\n"
        f"    static_configs: [{{targets: ['{target}']}}]\n"
    )
    address = f"127.0.0.1:{free_port()}"
    log = (workdir / "prometheus.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        debian_binary("prometheus"),
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'tsdb'}",
        f"--web.listen-address={address}",
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
    )
    server = Prometheus(address)
    try:

        async def scraped() -> list[dict] | None:
            if process.returncode is not None:
                raise AssertionError(
                    f"prometheus exited: {(workdir / 'prometheus.log').read_text()}"
                )
            return await server.query('up{job="escalation-worker"}')

        await poll(
            scraped,
            lambda result: bool(result) and result[0]["value"][1] == "1",
            "prometheus scraping the worker",
            60.0,
            retry_on=(urllib.error.URLError, ConnectionError),
            every=0.5,
        )
        yield server
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
        log.close()
