"""The delivery log: the benchmark worker writes one line per delivery activity run, the runner
follows the file.

Why a file written by the activity rather than ActivityTaskStarted events in histories: the
moment that matters to the person paged is when the worker really runs the delivery (after the
timer fired, the workflow task ran, the server dispatched the activity and the worker found a
free slot); reading 10,000 histories afterwards would also load the very server being measured.
The server's own scheduled and started times are kept too, so the lag can be split into stages.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import IO

from pydantic import BaseModel
from temporalio import activity

FOLLOW_SECONDS = 0.01
"""How often the runner reads new lines; the times are taken in the worker, not on reading."""


class Delivery(BaseModel):
    """One run of a delivery activity, as the worker saw it (epoch seconds, one machine clock)."""

    workflow_id: str
    purpose: str
    tier: str
    channel: str = ""
    deadline_base: float = 0.0
    """The incident's `opened_at` (workflow time): a tier window runs from it."""
    scheduled: float
    """Server time the activity was scheduled (the workflow task that decided it completed)."""
    started: float
    """Server time the activity task was handed to this worker."""
    ran: float
    """Worker wall clock when the activity function began."""

    @classmethod
    def in_activity(
        cls, purpose: str, tier: str, channel: str = "", deadline_base: float = 0.0
    ) -> Delivery:
        """This activity's run, stamped now; call it from inside the activity."""
        info = activity.info()
        return cls(
            workflow_id=info.workflow_id,
            purpose=purpose,
            tier=tier,
            channel=channel,
            deadline_base=deadline_base,
            scheduled=info.current_attempt_scheduled_time.timestamp(),
            started=info.started_time.timestamp(),
            ran=time.time(),
        )


class DeliveryWriter:
    """The worker side: appends a line per delivery, from any activity thread."""

    def __init__(self, path: Path) -> None:
        self._file: IO[str] = path.open("a", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()

    def write(self, delivery: Delivery) -> None:
        line = delivery.model_dump_json() + "\n"
        with self._lock:
            self._file.write(line)

    def close(self) -> None:
        self._file.close()


Match = Callable[[Delivery], bool]


def paged(tier: str, channel: str | None = None) -> Match:
    """Matches the page of a tier (on one channel, when given)."""
    return lambda d: d.purpose == "page" and d.tier == tier and channel in (None, d.channel)


class DeliveryFeed:
    """The runner side: follows the log (or the logs of several workers, merged), keeps every
    delivery, wakes whoever waits for one."""

    def __init__(self, *paths: Path) -> None:
        self.paths = paths
        self._by_workflow: dict[str, list[Delivery]] = defaultdict(list)
        self._waiting: dict[str, list[tuple[Match, asyncio.Future[Delivery]]]] = defaultdict(list)
        self._listeners: list[Callable[[Delivery], None]] = []
        self._tasks: list[asyncio.Task[None]] = []

    def listen(self, listener: Callable[[Delivery], None]) -> None:
        """Call `listener` with each delivery as it is read."""
        self._listeners.append(listener)

    async def wait_for(self, workflow_id: str, match: Match, within: float) -> Delivery:
        """The first delivery of this workflow that matches; TimeoutError after `within` s."""
        for delivery in self._by_workflow[workflow_id]:
            if match(delivery):
                return delivery
        future: asyncio.Future[Delivery] = asyncio.get_running_loop().create_future()
        self._waiting[workflow_id].append((match, future))
        return await asyncio.wait_for(future, within)

    def __enter__(self) -> DeliveryFeed:
        loop = asyncio.get_running_loop()
        for path in self.paths:
            path.touch()
            self._tasks.append(loop.create_task(self._follow(path)))
        return self

    def __exit__(self, *exc_info: object) -> None:
        for task in self._tasks:
            task.cancel()

    async def _follow(self, path: Path) -> None:
        with path.open("rb") as log:
            partial = b""
            while True:
                chunk = log.read()
                if not chunk:
                    await asyncio.sleep(FOLLOW_SECONDS)
                    continue
                *lines, partial = (partial + chunk).split(b"\n")
                for line in lines:
                    self._take(Delivery.model_validate_json(line))

    def _take(self, delivery: Delivery) -> None:
        self._by_workflow[delivery.workflow_id].append(delivery)
        waiting = self._waiting.get(delivery.workflow_id, [])
        for match, future in list(waiting):
            if match(delivery):
                waiting.remove((match, future))
                if not future.done():
                    future.set_result(delivery)
        for listener in self._listeners:
            listener(delivery)
