"""Floods, size and rate limits, and Temporal going away: every answer says what happened."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
import yaml
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from api.coalescing import MIN_GAP_SECONDS
from api.settings import MAX_BODY_BYTES
from tests.api.conftest import KEYS, FrontDoorUnderTest, serve, unique
from tests.conftest import EXAMPLE_POLICY
from tests.polling import poll
from tests.processes import dev_stack, start_server
from wiring.temporal import DATA_CONVERTER

FLOOD = 1000
SENDERS = 50


async def test_flood_of_one_key_is_one_incident_every_alert_counted(
    front_door: FrontDoorUnderTest,
) -> None:
    key = unique("flood")
    body = {"title": "checkout failing", "dedup_key": key}
    senders = asyncio.Semaphore(SENDERS)

    async def send(number: int) -> httpx.Response:
        async with senders:
            return await front_door.http.post(
                "/v1/alerts",
                json=body | {"alert_id": f"a{number}"},
                headers=front_door.bearer("generic"),
            )

    started = time.monotonic()
    answers = await asyncio.gather(*(send(n) for n in range(FLOOD)))
    elapsed = time.monotonic() - started
    assert {a.status_code for a in answers} == {202}
    assert {a.json()["incidents"][0]["workflow_id"] for a in answers} == {f"incident-{key}"}
    state = await front_door.state(key, lambda s: s.alerts_received >= FLOOD, "all counted")
    assert state.alerts_received == FLOOD

    history = await front_door.client.get_workflow_handle(f"incident-{key}").fetch_history()
    signals = sum(
        1
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    )
    sent = front_door.service.server.config.app.state.intake.coalescer.batches_sent
    print(f"flood of {FLOOD} in {elapsed:.1f}s: {sent} sends, {signals} signals in its history")
    assert signals <= sent <= elapsed / MIN_GAP_SECONDS + 1, (signals, sent, elapsed)


async def test_body_past_the_limit_is_413(front_door: FrontDoorUnderTest) -> None:
    huge = b'{"title": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = await front_door.http.post(
        "/v1/alerts", content=huge, headers=front_door.bearer("generic")
    )
    assert response.status_code == 413, response.text


async def test_rate_limit_is_429_with_retry_after(front_door: FrontDoorUnderTest) -> None:
    policy = yaml.safe_load(front_door.policy_file.read_text())
    policy["integrations"]["generic"]["rate_limit"] = {"per_second": 0.01, "burst": 2}
    front_door.policy_file.write_text(yaml.safe_dump(policy))
    keys = [unique("rate") for _ in range(3)]
    codes = []
    for key in keys:
        response = await front_door.http.post(
            "/v1/alerts",
            json={"title": "t", "dedup_key": key},
            headers=front_door.bearer("generic"),
        )
        codes.append(response.status_code)
    assert codes == [202, 202, 429]
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.e2e
async def test_temporal_down_is_503_and_the_retry_lands(tmp_path: Path) -> None:
    async with dev_stack(tmp_path / "stack") as stack:
        stack.server.stop()
        client = await Client.connect(stack.address, data_converter=DATA_CONVERTER, lazy=True)
        service = await serve(client, EXAMPLE_POLICY, "no-worker-needed")
        key = unique("down")
        body = {"title": "checkout failing", "dedup_key": key, "alert_id": "once"}
        headers = {"Authorization": f"Bearer {KEYS['generic']}"}
        try:
            async with httpx.AsyncClient(base_url=service.url, timeout=60) as http:
                down = await http.post("/v1/alerts", json=body, headers=headers)
                assert down.status_code == 503, down.text
                assert down.headers["Retry-After"]
                assert (await http.get("/readyz")).status_code == 503

                await start_server(stack.server)
                retried = await poll(
                    lambda: http.post("/v1/alerts", json=body, headers=headers),
                    lambda answer: answer.status_code == 202,
                    "the sender's retry accepted",
                    retry_on=(httpx.HTTPError,),
                    every=0.5,
                )
                assert retried.json()["incidents"][0]["outcome"] == "opened"
                assert (await http.get("/readyz")).status_code == 200
            description = await client.get_workflow_handle(f"incident-{key}").describe()
            assert description.status is not None
        finally:
            await service.stop()
