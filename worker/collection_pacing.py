"""Garbage collection paced for a worker that keeps thousands of open incidents in memory.

CPython runs a full collection whenever the objects that survived the young generations have
grown by a quarter since the last one, and a full collection walks every tracked object while
holding the GIL: with thousands of incidents cached that is over a million objects and a pause of
a second or more, during which no workflow task runs and due escalations wait.

The pacer freezes (`gc.freeze`) what survived each full collection: the cached incidents' state
lives until its incident closes, and the next full collection then walks only what came after.
Cyclic garbage among frozen objects (a closed incident's workflow instance, once evicted) is not
reclaimed until a thaw, so once the tracked objects have grown to `growth` times what survived the
last thaw, everything is unfrozen and collected: the only full walk, and the bound on memory
(the heap is at most `growth` times the live one, as Go's GOGC=100 allows at 2).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("escalation.worker.gc")

DEFAULT_GROWTH = 2.0
"""The tracked objects may grow to twice what survived the last thaw before the next one."""
CHECK_EVERY_SECONDS = 1.0
"""How often the event loop looks whether a full collection ran (freezing is not done inside
the collector's own callback, where the collection is still under way)."""
SLOW_PAUSE_SECONDS = 0.1
"""A thaw that paused longer than this is logged."""


@dataclass
class CollectionPacer:
    """Freezes the survivors of each full collection; thaws and collects all at `growth`x."""

    growth: float = DEFAULT_GROWTH
    _survivors: int = 0
    _full_collection_ran: bool = field(default=False, repr=False)

    def install(self) -> None:
        """Freeze what start-up built (modules, the policy, the SDK) and watch the collector."""
        gc.collect()
        gc.freeze()
        self._survivors = gc.get_freeze_count()
        gc.callbacks.append(self._on_collection)

    def uninstall(self) -> None:
        """Stop watching and hand every frozen object back to the collector."""
        if self._on_collection in gc.callbacks:
            gc.callbacks.remove(self._on_collection)
        gc.unfreeze()

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] == 2:
            self._full_collection_ran = True

    def pace(self) -> None:
        """After a full collection: freeze its survivors, or thaw and collect all at `growth`x."""
        if not self._full_collection_ran:
            return
        gc.freeze()
        self._full_collection_ran = False
        if gc.get_freeze_count() < self.growth * self._survivors:
            return
        began = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        paused = time.perf_counter() - began
        self._full_collection_ran = False
        self._survivors = gc.get_freeze_count()
        if paused > SLOW_PAUSE_SECONDS:
            log.info(
                "full collection of %d surviving objects paused the worker %.2f s",
                self._survivors,
                paused,
            )

    async def run(self) -> None:
        """Pace until cancelled (the worker's lifetime)."""
        self.install()
        try:
            while True:
                await asyncio.sleep(CHECK_EVERY_SECONDS)
                self.pace()
        finally:
            self.uninstall()


@contextlib.asynccontextmanager
async def paced_collection(enabled: bool) -> AsyncIterator[None]:
    """Pace collections for the block's lifetime (enter it once start-up has built everything)."""
    if not enabled:
        yield
        return
    pacing = asyncio.create_task(CollectionPacer().run(), name="gc pacing")
    try:
        yield
    finally:
        pacing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pacing
