"""Waiting on a condition with a deadline: the one way tests wait (never a fixed sleep)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.service import RPCError

T = TypeVar("T")

POLL_SECONDS = 30.0


async def poll(
    read: Callable[[], Awaitable[T | None]],
    condition: Callable[[T], bool],
    what: str,
    seconds: float = POLL_SECONDS,
    *,
    retry_on: tuple[type[BaseException], ...] = (RPCError,),
    every: float = 0.02,
) -> T:
    """Read until the condition holds; errors in `retry_on` (not started yet) are read again.

    Reads every `every` seconds: slow it down when a read is heavy for the server or worker.
    """
    deadline = time.monotonic() + seconds
    last: T | None = None
    while True:
        try:
            last = await read()
            if last is not None and condition(last):
                return last
        except retry_on:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {seconds}s; last: {last}")
        await asyncio.sleep(every)
