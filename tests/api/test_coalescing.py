"""The coalescer alone: every alert counted once, the first of a quiet key sent at once, and
sends of one key at least MIN_GAP_SECONDS apart however fast alerts come."""

from __future__ import annotations

import asyncio
import itertools

from api.coalescing import MIN_GAP_SECONDS, Coalescer, merge
from escalation.alerts import Alert
from starter.opening import OpenedIncident


def alert(key: str, number: int, **fields: object) -> Alert:
    return Alert.model_validate(
        {"title": f"t{number}", "service": "s", "dedup_key": key, "alert_id": f"a{number}"} | fields
    )


class Recorder:
    """Where the coalescer's sends go: each one noted with its time."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, Alert]] = []

    async def send(self, alert: Alert) -> OpenedIncident:
        self.sent.append((asyncio.get_running_loop().time(), alert))
        await asyncio.sleep(0.005)  # a round trip to the server
        return OpenedIncident(
            workflow_id=f"incident-{alert.dedup_key}",
            key=alert.dedup_key or "",
            run_id=None,
            attached=len(self.sent) > 1,
            summary="s",
            alert_id=alert.alert_id or "",
        )


async def test_flood_counted_once_each_and_paced() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder.send)
    reports = []
    for n in range(500):  # arriving one after another, as requests do
        reports.append(asyncio.create_task(coalescer.report(alert("k", n))))
        await asyncio.sleep(0.0002)
    answers = await asyncio.gather(*reports)
    assert len(answers) == 500
    assert sum(a.repeats for _, a in recorder.sent) == 500
    assert recorder.sent[0][1].alert_id == "a0"  # the first went alone, at once
    times = [t for t, _ in recorder.sent]
    gap = MIN_GAP_SECONDS * 0.99  # the event loop's clock may wake a sleeper a hair early
    assert len(times) <= (times[-1] - times[0]) / gap + 1 < 500
    assert all(b - a >= gap for a, b in itertools.pairwise(times))


async def test_keys_do_not_wait_for_each_other() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder.send)
    await asyncio.gather(*(coalescer.report(alert(f"k{n}", n)) for n in range(20)))
    assert sorted(a.dedup_key or "" for _, a in recorder.sent) == sorted(f"k{n}" for n in range(20))


async def test_a_failed_send_fails_every_alert_of_its_batch() -> None:
    async def refuse(alert: Alert) -> OpenedIncident:
        await asyncio.sleep(0.001)
        raise RuntimeError("temporal is down")

    coalescer = Coalescer(refuse)
    answers = await asyncio.gather(
        *(coalescer.report(alert("k", n)) for n in range(10)), return_exceptions=True
    )
    assert all(isinstance(a, RuntimeError) for a in answers)


def test_merge_keeps_the_widest_impact() -> None:
    merged = merge(
        [
            alert("k", 1, users_affected=5, clients_affected=["acme"]),
            alert("k", 2, users_affected=50, clients_affected=["globex"], repeats=3),
        ]
    )
    assert (merged.repeats, merged.users_affected) == (4, 50)
    assert merged.clients_affected == ["acme", "globex"]
    assert merged.alert_id and merged.alert_id.startswith("batch-")
    assert merge([alert("k", 7)]).alert_id == "a7"
