"""The processes under test: a dev server of our own and benchmark workers, each its own process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from temporalio.client import Client

from benchmarks.startup import Startup, parse
from benchmarks.tuning import WorkerTuning
from benchmarks.usage import Processes
from benchmarks.worker import READY
from starter.devserver import DevServer, DevServerSettings, free_port

START_SECONDS = 60.0
"""How long the server or a worker may take to come up before the run gives up."""
STOP_SECONDS = 15.0


@dataclass(frozen=True)
class Server:
    """The dev server (WAL SQLite in `workdir`) and a client to it."""

    client: Client
    process: psutil.Process
    workdir: Path
    address: str


@asynccontextmanager
async def dev_server(workdir: Path) -> AsyncIterator[Server]:
    """`temporal server start-dev` on free ports, headless, stopped on exit.

    starter.devserver passes `--sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal`
    and registers the incident search attributes, as `escalation dev` does.
    """
    settings = DevServerSettings(
        db_file=workdir / "temporal.db", port=free_port(), ui_port=None, log_level="error"
    )
    server = DevServer(settings, log_file=workdir / "temporal.log")
    server.start()
    try:
        client = await server.wait_until_ready(within=START_SECONDS)
        assert server.pid is not None
        yield Server(client, psutil.Process(server.pid), workdir, settings.address)
    finally:
        server.stop(STOP_SECONDS)


@dataclass(frozen=True)
class WorkerSettings:
    """How benchmark workers are run: their knobs, and whether py-spy profiles them."""

    tuning: WorkerTuning = field(default_factory=WorkerTuning)
    profile_dir: Path | None = None
    """When set, `py-spy record` samples each worker into <dir>/<scenario>.txt (collapsed stacks)."""


@dataclass(frozen=True)
class WorkerProcess:
    """A running `python -m benchmarks.worker`: where it logs deliveries, its process, and how
    its start-up went."""

    task_queue: str
    delivery_log: Path
    process: psutil.Process
    spawned_at: float
    """Wall clock (epoch seconds) just before the process was spawned."""
    startup: Startup

    def rss_mb(self) -> float:
        """Resident memory now, in MiB."""
        return self.process.memory_info().rss / 2**20


@asynccontextmanager
async def benchmark_worker(
    server: Server,
    name: str,
    policy: Path,
    settings: WorkerSettings,
    *,
    task_queue: str | None = None,
) -> AsyncIterator[WorkerProcess]:
    """A worker process on a task queue of its own (or `task_queue`, to replace a worker that
    died: same files, the delivery log appended to); yields once it polls, SIGTERM on exit."""
    task_queue = task_queue or f"bench-{name}-{uuid.uuid4().hex[:6]}"
    files = server.workdir / name
    files.mkdir(parents=True, exist_ok=True)
    delivery_log = files / "deliveries.jsonl"
    stderr = (files / "worker.log").open("ab")
    spawned_at = time.time()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.worker",
        "--policy",
        str(policy),
        "--task-queue",
        task_queue,
        "--log",
        str(delivery_log),
        "--outbox",
        str(files / "outbox.jsonl"),
        "--tuning",
        settings.tuning.model_dump_json(),
        env=_worker_environment(server),
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
    )
    try:
        phases = await _until_ready(process, files / "worker.log")
        async with AsyncExitStack() as profiling:
            if settings.profile_dir is not None:
                out = settings.profile_dir / f"{name}.txt"
                await profiling.enter_async_context(_py_spy(process.pid, out))
            yield WorkerProcess(
                task_queue,
                delivery_log,
                psutil.Process(process.pid),
                spawned_at,
                Startup.since(spawned_at, phases),
            )
    finally:
        await _stop(process, signal.SIGTERM)
        stderr.close()


@dataclass(frozen=True)
class WorkerGroup:
    """Benchmark worker processes polling one task queue, each with its own delivery log."""

    members: tuple[WorkerProcess, ...]

    @property
    def task_queue(self) -> str:
        return self.members[0].task_queue

    @property
    def delivery_logs(self) -> tuple[Path, ...]:
        return tuple(member.delivery_log for member in self.members)

    def rss_mb_each(self) -> list[float]:
        """Resident memory of each process now, in MiB."""
        return [member.rss_mb() for member in self.members]

    def rss_mb(self) -> float:
        """Resident memory of all of them now, in MiB."""
        return sum(self.rss_mb_each())


@asynccontextmanager
async def benchmark_workers(
    server: Server, name: str, policy: Path, settings: WorkerSettings, count: int
) -> AsyncIterator[WorkerGroup]:
    """`count` worker processes on one task queue; one alone keeps `name`'s files, several get
    `name`/1, `name`/2, ... (each its own log). Yields once all of them poll."""
    async with AsyncExitStack() as running:
        names = [name] if count == 1 else [f"{name}/{i}" for i in range(1, count + 1)]
        first = await running.enter_async_context(
            benchmark_worker(server, names[0], policy, settings)
        )
        members = [first]
        for other in names[1:]:
            members.append(
                await running.enter_async_context(
                    benchmark_worker(server, other, policy, settings, task_queue=first.task_queue)
                )
            )
        yield WorkerGroup(tuple(members))


async def _stop(process: asyncio.subprocess.Process, signum: int) -> None:
    """Ask a child to stop; kill it if it has not within STOP_SECONDS (a child that was killed
    on purpose may be gone already)."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signum)
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()


@asynccontextmanager
async def _py_spy(pid: int, out: Path) -> AsyncIterator[None]:
    """Sample every thread of `pid` until the block ends; py-spy writes `out` on SIGINT."""
    executable = shutil.which("py-spy")
    if executable is None:
        raise RuntimeError("--profile needs py-spy on PATH (pip install py-spy)")
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = await asyncio.create_subprocess_exec(
        executable,
        *("record", "--pid", str(pid), "--format", "raw", "--nolineno", "--gil", "--nonblocking"),
        *("--output", str(out)),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        await _stop(spy, signal.SIGINT)


def _worker_environment(server: Server) -> dict[str, str]:
    """The server's address, and bytecode caching on as in a deployment.

    Some shells and images set PYTHONDONTWRITEBYTECODE; the sandbox then compiles every workflow
    module from source again for each new workflow, which would be measured as our overhead.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return env | {"TEMPORAL_ADDRESS": server.address, "TEMPORAL_NAMESPACE": "default"}


async def _until_ready(process: asyncio.subprocess.Process, log: Path) -> dict[str, float]:
    """Read the worker's start-up phase lines until READY; each phase's end (epoch seconds)."""
    assert process.stdout is not None
    phases: dict[str, float] = {}
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            line = await asyncio.wait_for(
                process.stdout.readline(), max(deadline - time.monotonic(), 0)
            )
        except TimeoutError:
            line = b""
        text = line.decode().strip()
        if text == READY:
            return phases
        phase = parse(text)
        if phase is None:
            raise RuntimeError(f"the benchmark worker did not start: {_tail(log)}")
        phases[phase[0]] = phase[1]


def _tail(log: Path, lines: int = 5) -> str:
    """The last lines a process wrote, for an error message."""
    return " | ".join(log.read_text(errors="replace").strip().splitlines()[-lines:])


def processes(server: Server, worker: WorkerProcess | WorkerGroup) -> dict[str, Processes]:
    """The processes whose CPU the report shows: server, worker(s) as one, and this runner."""
    if isinstance(worker, WorkerGroup):
        workers: Processes = [member.process for member in worker.members]
    else:
        workers = worker.process
    return {"server": server.process, "worker": workers, "runner": psutil.Process()}
