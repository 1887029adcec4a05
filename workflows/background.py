"""Work a workflow starts without awaiting at once (deliveries, the review start).

An exception in such a task would otherwise vanish; here it is kept and re-raised by the main
loop, which fails the workflow task: the bug shows in the UI and the task retries after a fix.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from temporalio import workflow


class BackgroundWork:
    """The running tasks, with the first unexpected failure among them."""

    def __init__(self) -> None:
        self._tasks: dict[asyncio.Task[Any], None] = {}
        """Insertion-ordered (never a set, whose order follows memory addresses): anything that
        iterates over running work must see it in the same order on every replay."""
        self.failure: BaseException | None = None

    def start(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `work` concurrently with the workflow's main loop."""
        task = asyncio.create_task(work)
        self._tasks[task] = None
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None and self.failure is None:
            self.failure = task.exception()

    @property
    def idle(self) -> bool:
        """Nothing running: safe to complete or continue-as-new."""
        return not self._tasks

    def raise_failure(self) -> None:
        """Re-raise a task's exception in the main loop, failing the workflow task."""
        if self.failure is not None:
            raise self.failure

    async def drain(self) -> None:
        """Wait until every task and every message handler has finished, raising any failure."""
        await workflow.wait_condition(
            lambda: (self.idle and workflow.all_handlers_finished()) or self.failure is not None
        )
        self.raise_failure()
