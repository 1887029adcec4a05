"""A worker's start-up, phase by phase: the worker prints when each phase ends, the runner reads it.

Both sides stamp with the machine's wall clock, so the phases line up with the spawn time the
runner took just before it started the process.
"""

from __future__ import annotations

import time

from pydantic import BaseModel

MARK = "startup"
"""First word of a phase line on the worker's stdout."""
PHASES = ("imports", "connected", "policy", "polling")
"""Module imports done, client connected, policy loaded and worker built, polling started."""


def announce(phase: str) -> None:
    """Tell the runner (on stdout) that `phase` ended now."""
    print(f"{MARK} {phase} {time.time():.6f}", flush=True)


def parse(line: str) -> tuple[str, float] | None:
    """(phase, epoch seconds) of a phase line; None for any other line."""
    words = line.split()
    if len(words) != 3 or words[0] != MARK or words[1] not in PHASES:
        return None
    return words[1], float(words[2])


class Startup(BaseModel):
    """Seconds from the process spawn to the end of each phase."""

    imports_s: float
    connected_s: float
    policy_s: float
    polling_s: float

    @classmethod
    def since(cls, spawned_at: float, ended: dict[str, float]) -> Startup:
        """From the spawn time and each phase's end (epoch seconds)."""
        return cls.model_validate(
            {f"{phase}_s": round(ended[phase] - spawned_at, 3) for phase in PHASES}
        )
