"""A throwaway PostgreSQL cluster from Debian's `postgresql` package, in a temporary directory.

`initdb` and `pg_ctl` come from /usr/lib/postgresql/*/bin; as root they run as the `postgres`
user (PostgreSQL refuses to run as root). Trust authentication on 127.0.0.1 and a private
socket directory: nothing outside the test can reach it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import uuid
from pathlib import Path

from starter.devserver import free_port


def postgres_bin() -> Path | None:
    """The newest installed server's bin directory, or None when the package is missing."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    """One cluster, started and stopped on demand (the outage test stops it mid-incident)."""

    def __init__(self, bin_dir: Path, scratch: Path) -> None:
        self.bin_dir = bin_dir
        self.data = scratch / "data"
        self.sockets = scratch / "sockets"
        self.port = free_port()
        self.running = False
        self._as_postgres = os.geteuid() == 0
        self.sockets.mkdir(parents=True)
        if self._as_postgres:
            shutil.chown(scratch, "postgres")
            shutil.chown(self.sockets, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "escalation", "-E", "UTF8")

    def start(self) -> None:
        """Start the server (a no-op when it runs)."""
        if self.running:
            return
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.data.parent / "server.log")  # not our pipes: the server outlives pg_ctl
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "60", "start"
        )
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.running = False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://escalation@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database for one test; its URL."""
        name = f"archive_{uuid.uuid4().hex[:12]}"
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "escalation", name)
        return self.url(name)

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.bin_dir / program), *arguments]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, timeout=120, check=False)
        if done.returncode:
            log = self.data.parent / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr.decode(errors='replace')}\n{tail}")
