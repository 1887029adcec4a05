"""End to end through `escalation dev` with the fake Slack: an alert opens a critical incident,
its channel and status message appear, a signed click on Acknowledge acknowledges it, and the
status message is updated in place."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from escalation.slack import channel_name
from starter.devserver import free_port
from tests.api.conftest import unique
from tests.api.payloads import alertmanager_notification
from tests.api.slack_payloads import ALICE, block_action, signed
from tests.e2e.dev_stack import dev_environment, incident_state_when, intake_url, running_dev
from tests.e2e.test_front_door_dev import critical, curl
from tests.fakes.slack import FakeSlack
from tests.polling import poll
from tests.slack_support import shown_status, slack_environment
from wiring.temporal import DATA_CONVERTER

pytestmark = pytest.mark.e2e


async def test_acknowledge_from_slack_through_escalation_dev(tmp_path: Path) -> None:
    port, ui_port, http_port = free_port(), free_port(), free_port()
    with FakeSlack() as slack:
        env = dev_environment(tmp_path, http_port, **slack_environment(slack))
        async with running_dev(tmp_path, env, port, ui_port) as printed:
            url = intake_url(printed)
            service = unique("svc")
            fired = await asyncio.to_thread(
                curl,
                f"{url}/v1/integrations/alertmanager",
                critical(alertmanager_notification(service)),
            )
            key = fired["incidents"][0]["key"]  # type: ignore[index]

            async def status_messages() -> list:
                """Posts to this incident's channel (`escalation dev` opens a demo one too)."""
                created = [
                    call.answer["channel"]["id"]
                    for call in slack.called("conversations.create")
                    if call.args["name"] == channel_name(key)
                ]
                return [
                    call
                    for call in slack.called("chat.postMessage")
                    if created and call.args["channel"] == created[0]
                ]

            first = (await poll(status_messages, bool, "the status message", 60))[0]
            assert shown_status(first.args) == "triggered"

            body, headers = signed(block_action("incident_acknowledge", key, ALICE, ""))
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                answer = await http.post("/v1/slack/interactions", content=body, headers=headers)
            assert answer.status_code == 200

            client = await Client.connect(f"127.0.0.1:{port}", data_converter=DATA_CONVERTER)
            state = await incident_state_when(
                client, key, lambda s: s.status == "acknowledged", "acknowledged"
            )
            assert [e.attribution for e in state.timeline if e.kind == "acknowledged"] == [
                "alice via Slack"
            ]

            async def updated() -> list:
                return [
                    c for c in slack.called("chat.update") if c.args["ts"] == first.answer["ts"]
                ]

            update = (await poll(updated, bool, "the status message updated", 60))[-1].args
            assert shown_status(update) == "acknowledged"
