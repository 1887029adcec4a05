"""Slack's buttons, modals and slash command against the served front door, a worker with
Slack set up, and the fake Slack Web API: signed requests exactly as Slack posts them."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from fastapi.testclient import TestClient
from temporalio.testing import WorkflowEnvironment

from api.policy_source import PolicySource
from api.slack_routes import slack_router
from escalation.alerts import Alert
from escalation.contract import (
    INCIDENT_WORKFLOW,
    CommandResult,
    IncidentStart,
    incident_workflow_id,
)
from escalation.incident import IncidentState
from tests.api.conftest import serve, unique
from tests.api.slack_payloads import ALICE, STRANGER, block_action, signed, slash, view_submission
from tests.conftest import EXAMPLE_POLICY, IncidentWorker
from tests.fakes.slack import FakeSlack
from tests.polling import poll
from tests.slack_support import fake_slack_activities, shown_status, slack_environment
from tests.workflows.helpers import start_incident, status, wait_for

SLACK_ANSWER_SECONDS = 3.0
RESOLVE = {"by": "alice", "cause": "disk full", "resolution": "grew the disk"}


@dataclass
class SlackDoor:
    http: httpx.AsyncClient
    slack: FakeSlack
    worker: IncidentWorker

    async def post(self, path: str, fields: dict[str, str], **sign: float) -> httpx.Response:
        body, headers = signed(fields, **sign)
        started = time.monotonic()
        answer = await self.http.post(path, content=body, headers=headers)
        assert time.monotonic() - started < SLACK_ANSWER_SECONDS
        return answer

    async def reply(self, count: int = 1) -> dict:
        """The `count`-th reply to the clicker through the response URL."""

        async def read() -> list[dict]:
            return list(self.slack.responses)

        return (await poll(read, lambda r: len(r) >= count, f"{count} replies"))[count - 1]


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest_asyncio.fixture
async def door(
    dev_server_env: WorkflowEnvironment,
    make_worker,
    slack: FakeSlack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[SlackDoor]:
    for name, value in slack_environment(slack).items():
        monkeypatch.setenv(name, value)
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(EXAMPLE_POLICY.read_text())
    client = dev_server_env.client
    worker = make_worker(client, policy_file, slack=fake_slack_activities(slack))
    service = await serve(client, policy_file, worker.task_queue)
    async with worker.worker, httpx.AsyncClient(base_url=service.url, timeout=30) as http:
        try:
            yield SlackDoor(http, slack, worker)
        finally:
            await service.stop()


async def test_acknowledge_from_the_status_message(door: SlackDoor) -> None:
    """Open, click Acknowledge: acknowledged by alice via Slack, and the message updated."""
    handle = await start_incident(door.worker, severity="critical")
    key = (await status(handle)).key
    await poll(_called(door.slack, "chat.postMessage"), bool, "the status message")
    click = block_action("incident_acknowledge", key, ALICE, door.slack.response_url())
    answer = await door.post("/v1/slack/interactions", click)
    assert answer.status_code == 200
    state = await wait_for(handle, lambda s: s.status == "acknowledged")
    acked = next(e for e in state.timeline if e.kind == "acknowledged")
    assert acked.attribution == "alice via Slack"
    reply = await door.reply()
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert reply["text"].startswith("Done:")
    updated = await poll(_called(door.slack, "chat.update"), bool, "the status update")
    assert shown_status(updated[-1].args) == "acknowledged"


@pytest.mark.parametrize(
    ("sign", "why"),
    [({"age": 301.0}, "stale timestamp"), ({"secret": "not-the-secret"}, "bad signature")],
)
async def test_unsigned_or_stale_requests_are_refused(
    door: SlackDoor, sign: dict, why: str
) -> None:
    handle = await start_incident(door.worker, severity="critical")
    key = (await status(handle)).key
    click = block_action("incident_acknowledge", key, ALICE, door.slack.response_url())
    answer = await door.post("/v1/slack/interactions", click, **sign)
    assert answer.status_code == 403, why
    command = await door.post("/v1/slack/commands", slash(f"ack {key}", ALICE, ""), **sign)
    assert command.status_code == 403, why
    assert (await status(handle)).status == "triggered"


async def test_an_unknown_slack_user_is_told_they_cannot_act(door: SlackDoor) -> None:
    handle = await start_incident(door.worker, severity="critical")
    key = (await status(handle)).key
    click = block_action("incident_acknowledge", key, STRANGER, door.slack.response_url())
    assert (await door.post("/v1/slack/interactions", click)).status_code == 200
    reply = await door.reply()
    assert reply["response_type"] == "ephemeral"
    assert "cannot act" in reply["text"] and STRANGER in reply["text"]
    command = await door.post("/v1/slack/commands", slash(f"ack {key}", STRANGER, ""))
    assert command.json()["response_type"] == "ephemeral"
    assert "cannot act" in command.json()["text"]
    assert (await status(handle)).status == "triggered"


async def test_a_click_on_a_resolved_incident_is_refused_to_the_clicker(door: SlackDoor) -> None:
    handle = await start_incident(door.worker, severity="critical")
    key = (await status(handle)).key
    await handle.execute_update("resolve", RESOLVE, result_type=CommandResult)
    click = block_action("incident_acknowledge", key, ALICE, door.slack.response_url())
    assert (await door.post("/v1/slack/interactions", click)).status_code == 200
    reply = await door.reply()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Not done:") and "resolved" in reply["text"]
    state = await status(handle)
    assert state.acknowledged_by is None


async def test_resolve_opens_a_modal_and_its_submission_resolves(door: SlackDoor) -> None:
    handle = await start_incident(door.worker, severity="critical")
    key = (await status(handle)).key
    click = block_action("incident_resolve", key, ALICE, door.slack.response_url())
    assert (await door.post("/v1/slack/interactions", click)).status_code == 200
    opened = door.slack.called("views.open")[-1].args
    assert opened["trigger_id"] == "1337.42.trigger"
    assert opened["view"]["callback_id"] == "incident_resolve"
    assert opened["view"]["private_metadata"] == key

    empty = view_submission("incident_resolve", key, ALICE, {"cause": "disk full"})
    refused = await door.post("/v1/slack/interactions", empty)
    assert refused.json()["response_action"] == "errors"
    assert "resolution" in refused.json()["errors"]["cause"]
    assert (await status(handle)).status == "triggered"

    values = {"cause": "disk full", "resolution": "grew it", "preventive_measures": "alert\nauto"}
    submitted = view_submission("incident_resolve", key, ALICE, values)
    answer = await door.post("/v1/slack/interactions", submitted)
    assert answer.status_code == 200 and answer.content == b""  # closes the modal
    state: IncidentState = await status(handle)
    assert state.status == "resolved" and state.resolved_by == "alice"
    assert state.resolution and state.resolution.preventive_measures == ["alert", "auto"]
    assert [e.via for e in state.timeline if e.kind == "resolved"] == ["Slack"]


async def test_the_incident_slash_command(door: SlackDoor) -> None:
    url = door.slack.response_url()
    opened = await door.post("/v1/slack/commands", slash("open payments checkout down", ALICE, url))
    assert opened.json()["response_type"] == "in_channel"
    key = opened.json()["text"].split(" opened ")[1].split(":")[0]

    async def listed() -> str:
        return (await door.post("/v1/slack/commands", slash("list", ALICE, url))).json()["text"]

    await poll(listed, lambda text: f"`{key}` triggered" in text, "listed (visibility lags)")
    acked = await door.post("/v1/slack/commands", slash(f"ack {key}", ALICE, url))
    assert acked.json()["text"].startswith("Done:")
    shown = await door.post("/v1/slack/commands", slash(f"status {key}", ALICE, url))
    assert "Status acknowledged" in shown.json()["text"] and "owner alice" in shown.json()["text"]
    missing = await door.post("/v1/slack/commands", slash("status no-such-key", ALICE, url))
    assert "No incident" in missing.json()["text"]
    usage = await door.post("/v1/slack/commands", slash("dance", ALICE, url))
    assert usage.json()["text"].startswith("Usage:")


def _called(slack: FakeSlack, method: str):
    async def read() -> list:
        return slack.called(method)

    return read


def test_without_slack_set_up_the_routes_answer_404(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    app = FastAPI()
    app.include_router(slack_router(None, PolicySource(EXAMPLE_POLICY)))  # type: ignore[arg-type]
    body, headers = signed(slash("list", ALICE, ""))
    with TestClient(app) as http:
        for path in ("/v1/slack/commands", "/v1/slack/interactions"):
            answer = http.post(path, content=body, headers=headers)
            assert answer.status_code == 404 and "not set up" in answer.text


async def test_slack_hears_back_in_time_when_the_incident_cannot_answer(door: SlackDoor) -> None:
    """No worker polls this incident's task queue: the update cannot finish, and Slack still
    gets its answer within 3 s, the clicker told the verb may still apply."""
    key = unique("stalled")
    handle = await door.worker.client.start_workflow(
        INCIDENT_WORKFLOW,
        IncidentStart(key=key, alert=Alert(title="stalled", service="payments")),
        id=incident_workflow_id(key),
        task_queue=unique("nobody-polls"),
    )
    door.worker.track(handle.id)
    click = block_action("incident_acknowledge", key, ALICE, door.slack.response_url())
    assert (await door.post("/v1/slack/interactions", click)).status_code == 200
    reply = await door.reply()
    assert reply["response_type"] == "ephemeral" and "did not answer" in reply["text"]
