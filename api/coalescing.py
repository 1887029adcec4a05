"""Repeats of one dedup key, coalesced: while one report is on its way to Temporal, the next
ones wait and go together as a single `new_alert` whose `repeats` counts them all.

So a flood of one key costs at most one signal per MIN_GAP_SECONDS (and per round trip to the
server), not one per alert, and every alert is still counted by the incident. The first alert
of a quiet key goes at once: coalescing adds no delay when there is nothing to coalesce.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from api.reports import digest
from escalation.alerts import MAX_REPEATS, Alert
from starter.opening import OpenedIncident

Send = Callable[[Alert], Awaitable[OpenedIncident]]
MAX_CLIENTS = 500
MIN_GAP_SECONDS = 0.02
"""Between two sends for one key: at most 50 signals a second per incident, however fast the
alerts come (the first alert of a quiet key still goes at once)."""
MAX_REMEMBERED = 10_000


@dataclass
class _Batch:
    alerts: list[Alert] = field(default_factory=list)
    done: asyncio.Future[OpenedIncident] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def merge(alerts: list[Alert]) -> Alert:
    """One alert standing for many: the latest text, the widest impact, every repeat counted.

    A lone alert keeps its id (so a sender's retry is still recognised); a merged one gets an
    id made from the ids it stands for, so resending the same batch is recognised too.
    """
    if len(alerts) == 1:
        return alerts[0]
    latest = alerts[-1]
    ids = sorted({alert.alert_id or "" for alert in alerts})
    clients = sorted({client for alert in alerts for client in alert.clients_affected})
    return latest.model_copy(
        update={
            "repeats": min(MAX_REPEATS, sum(alert.repeats for alert in alerts)),
            "users_affected": max(alert.users_affected for alert in alerts),
            "clients_affected": clients[:MAX_CLIENTS],
            "alert_id": "batch-" + digest(*ids),
        }
    )


class Coalescer:
    """One sender task per busy dedup key; alerts arriving meanwhile join its next batch, which
    leaves no sooner than MIN_GAP_SECONDS after the previous one."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._waiting: dict[str, _Batch] = {}
        self._busy: dict[str, asyncio.Task[None]] = {}
        self._last_send: dict[str, float] = {}
        self.batches_sent = 0

    async def report(self, alert: Alert) -> OpenedIncident:
        """Send the alert (perhaps with others of its key); the answer for its batch."""
        key = alert.dedup_key
        if key is None:
            self.batches_sent += 1
            return await self._send(alert)
        batch = self._waiting.setdefault(key, _Batch())
        batch.alerts.append(alert)
        if key not in self._busy:
            self._busy[key] = asyncio.create_task(self._drain(key))
        return await asyncio.shield(batch.done)

    async def _drain(self, key: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            while key in self._waiting:
                wait = self._last_send.get(key, -MIN_GAP_SECONDS) + MIN_GAP_SECONDS - loop.time()
                if wait > 0:  # sent a moment ago: alerts arriving meanwhile join this batch
                    await asyncio.sleep(wait)
                batch = self._waiting.pop(key)
                self._last_send[key] = loop.time()
                self.batches_sent += 1
                try:
                    batch.done.set_result(await self._send(merge(batch.alerts)))
                except Exception as error:
                    batch.done.set_exception(error)
                    batch.done.exception()  # retrieved: a waiter that gave up must not warn
        finally:
            del self._busy[key]
            if len(self._last_send) > MAX_REMEMBERED:
                since = loop.time() - MIN_GAP_SECONDS
                self._last_send = {k: t for k, t in self._last_send.items() if t > since}
