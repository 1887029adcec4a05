"""`escalation dev` as a person runs it: started, waited for, stopped with Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.client import Client

from escalation.incident import IncidentState
from starter.devserver import find_executable
from starter.incidents import IncidentNotFound, IncidentNotReady, incident_status
from tests.conftest import EXAMPLE_POLICY
from tests.polling import poll

STARTUP_SECONDS = 90.0
STOP_SECONDS = 30.0


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


@asynccontextmanager
async def running_dev(
    workdir: Path, env: dict[str, str], port: int, ui_port: int
) -> AsyncIterator[str]:
    """The dev stack once it prints its HTTP intake line; yields everything printed so far."""
    out = workdir / "dev.out"
    dev = start_dev(workdir, env, port, ui_port, out)
    try:

        async def printed() -> str:
            assert dev.poll() is None, f"escalation dev exited: {out.read_text()}"
            return out.read_text()

        yield await poll(printed, lambda t: "HTTP intake:" in t, "dev stack ready", STARTUP_SECONDS)
    finally:
        dev.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(dev.wait, STOP_SECONDS)
        except subprocess.TimeoutExpired:
            dev.kill()
            await asyncio.to_thread(dev.wait)


def dev_environment(workdir: Path, http_port: int, **extra: str) -> dict[str, str]:
    """The environment a person starts `escalation dev` with: the test policy, the HTTP intake
    on `http_port`, the outbox in `workdir`, and `extra`."""
    return (
        dict(os.environ)
        | {
            "ESCALATION_POLICY": str(EXAMPLE_POLICY),
            "ESCALATION_HTTP_ADDRESS": f"127.0.0.1:{http_port}",
            "ESCALATION_OUTBOX": str(workdir / "outbox.jsonl"),
        }
        | extra
    )


def intake_url(printed: str) -> str:
    """The HTTP intake URL `escalation dev` printed."""
    found = re.search(r"HTTP intake:\s+(\S+)", printed)
    assert found, printed
    return found[1]


async def incident_state_when(
    client: Client, key: str, condition: Callable[[IncidentState], bool], what: str
) -> IncidentState:
    """Poll the incident's status until `condition` holds; it may not have started yet."""
    return await poll(
        lambda: incident_status(client, key),
        condition,
        what,
        retry_on=(IncidentNotReady, IncidentNotFound),
        every=0.2,
    )
