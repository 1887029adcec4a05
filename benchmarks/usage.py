"""CPU used by each process during a phase: evidence of which one limits the figures."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence

import psutil
from pydantic import BaseModel


class Machine(BaseModel):
    """What the figures were measured on, and how busy it was."""

    cpus: int
    memory_gb: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] | None = None

    @classmethod
    def now(cls) -> Machine:
        return cls(
            cpus=os.cpu_count() or 1,
            memory_gb=round(psutil.virtual_memory().total / 2**30, 1),
            load_before=_load(),
        )

    def finish(self) -> None:
        """The load average at the end of the run."""
        self.load_after = _load()


def _load() -> tuple[float, float, float]:
    one, five, fifteen = os.getloadavg()
    return round(one, 2), round(five, 2), round(fifteen, 2)


Processes = psutil.Process | Sequence[psutil.Process]
"""One process, or several counted as one (the workers of a run)."""


class CpuMeter:
    """CPU seconds of named processes from its creation to `shares()`, as a share of one core."""

    def __init__(self, processes: Mapping[str, Processes]) -> None:
        self.processes = dict(processes)
        self._start = {name: _cpu_seconds(p) for name, p in self.processes.items()}
        self._wall = time.monotonic()

    def shares(self) -> dict[str, float]:
        """Per process, CPU time used / wall time so far: 1.0 is one core kept busy."""
        wall = max(time.monotonic() - self._wall, 1e-9)
        return {
            name: round((_cpu_seconds(process) - self._start[name]) / wall, 2)
            for name, process in self.processes.items()
        }


def _cpu_seconds(processes: Processes) -> float:
    if isinstance(processes, psutil.Process):
        processes = [processes]
    return sum(times.user + times.system for times in (p.cpu_times() for p in processes))
