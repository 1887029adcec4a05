"""`escalation dev` as a person runs it: started, waited for, stopped with Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starter.devserver import find_executable
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
