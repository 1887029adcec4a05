"""The delivery feed follows the logs of several benchmark workers as one (`--workers N`)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.pagelog import Delivery, DeliveryFeed, DeliveryWriter, paged

WITHIN_SECONDS = 10.0


def _page(workflow_id: str) -> Delivery:
    return Delivery(
        workflow_id=workflow_id, purpose="page", tier="Tier 1", scheduled=1.0, started=2.0, ran=3.0
    )


async def test_feed_merges_the_delivery_logs_of_every_worker(tmp_path: Path) -> None:
    logs = [tmp_path / "1" / "deliveries.jsonl", tmp_path / "2" / "deliveries.jsonl"]
    for log in logs:
        log.parent.mkdir()
    seen: list[str] = []
    with DeliveryFeed(*logs) as feed:
        feed.listen(lambda delivery: seen.append(delivery.workflow_id))
        for number, log in enumerate(logs):
            writer = DeliveryWriter(log)
            writer.write(_page(f"incident-{number}"))
            writer.close()
        for number in range(len(logs)):
            found = await feed.wait_for(f"incident-{number}", paged("Tier 1"), WITHIN_SECONDS)
            assert found == _page(f"incident-{number}")
    assert sorted(seen) == ["incident-0", "incident-1"]
