"""The incident's story in Slack, on the time-skipping server with the fake Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from escalation.contract import CommandResult
from tests.conftest import EXAMPLE_POLICY
from tests.fakes.slack import OUTAGE, FakeSlack
from tests.polling import poll
from tests.slack_support import fake_slack_activities, shown_buttons, shown_status
from tests.workflows.helpers import (
    entries,
    minutes_after_open,
    policy_variant,
    start_incident,
    status,
    wait_for,
)

LOW_IN_SLACK = EXAMPLE_POLICY.read_text().replace(
    "channels: [email], review: none}",
    "channels: [email], review: none,\n        slack: {channel: per_incident, archive_on_close: true}}",
)
CRITICAL = {"severity": "critical", "clients_affected": ["acme"]}
RESOLVE = {"by": "alice", "cause": "disk full", "resolution": "grew the disk", "via": "Slack"}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def low_in_slack(tmp_path: Path) -> Path:
    return policy_variant(tmp_path, LOW_IN_SLACK, "review: none,\n        slack:")


async def slack_calls(slack: FakeSlack, method: str, count: int) -> list:
    return await poll(
        lambda: _async(slack.called(method)), lambda c: len(c) >= count, f"{count} {method}"
    )


async def _async(value: object) -> object:
    return value


async def test_the_status_message_follows_every_state_change_and_the_channel_closes(
    time_skipping_env: WorkflowEnvironment, make_worker, slack: FakeSlack, low_in_slack: Path
) -> None:
    worker = make_worker(time_skipping_env.client, low_in_slack, slack=fake_slack_activities(slack))
    async with worker.worker:
        handle = await start_incident(worker, severity="low")
        opened = (await slack_calls(slack, "chat.postMessage", 1))[0].args
        assert shown_status(opened) == "triggered"
        assert "incident_acknowledge" in shown_buttons(opened)
        invited = slack.called("conversations.invite")[0].args["users"]
        assert invited == "U0ALICE01"  # tier 1, with a Slack id

        await handle.execute_update(
            "acknowledge", {"by": "alice", "via": "Slack"}, result_type=CommandResult
        )
        acked = (await slack_calls(slack, "chat.update", 1))[-1].args
        assert shown_status(acked) == "acknowledged"
        assert "incident_acknowledge" not in shown_buttons(acked)
        assert "*Owner:* alice" in str(acked["blocks"])

        await handle.execute_update("resolve", RESOLVE, result_type=CommandResult)
        await slack_calls(slack, "conversations.archive", 1)
        updates = [shown_status(call.args) for call in slack.called("chat.update")]
        assert updates == ["acknowledged", "closed"]  # one per change; resolved->closed at once
        assert shown_buttons(slack.called("chat.update")[-1].args) == []
        thread = [c.args["text"] for c in slack.called("chat.postMessage")[1:]]
        assert thread[0].startswith("Paged (escalation)")
        assert "Acknowledged (alice via Slack): acknowledged" in thread
        assert any(line.startswith("Resolved (alice via Slack)") for line in thread)
        assert thread[-1].startswith(f"Incident {(await status(handle)).key} is closed.")
        assert "Cause: disk full" in thread[-1]
        methods = [call.method for call in slack.calls]
        assert methods[-1] == "conversations.archive"  # after the summary
        await handle.result()


async def test_a_slack_outage_during_an_escalation_delays_no_page(
    time_skipping_env: WorkflowEnvironment, make_worker, slack: FakeSlack
) -> None:
    env = time_skipping_env
    slack.down = OUTAGE
    worker = make_worker(env.client, slack=fake_slack_activities(slack))
    async with worker.worker:
        handle = await start_incident(worker, **CRITICAL)
        await env.sleep(timedelta(minutes=10, seconds=1))
        state = await wait_for(handle, lambda s: len(entries(s, "paged")) == 2)
        tier_two = entries(state, "paged")[1]
        assert tier_two.detail.startswith("Tier 2 specialists")
        assert minutes_after_open(state, tier_two.at) == 10  # on time, Slack down throughout
        outage = entries(state, "slack_unavailable")
        assert len(outage) == 1 and "503" in outage[0].detail
        assert slack.called("chat.postMessage") == []

        slack.down = None
        await env.sleep(timedelta(minutes=2))
        state = await wait_for(handle, lambda s: bool(entries(s, "slack_available")))
        thread = [c.args.get("text", "") for c in (await slack_calls(slack, "chat.postMessage", 3))]
        assert [line.split(":")[0] for line in thread[1:3]] == [
            "Paged (escalation)",
            "Paged (escalation)",
        ]
        # ACME's contract wants an acknowledgment within 10 minutes too: its breach engages
        # management, so Erin is invited beside the two tiers.
        assert state.slack is not None
        assert state.slack.invited == ["U0ALICE01", "U0BOB0002", "U0ERIN003"]


async def test_a_severity_raised_to_one_with_slack_opens_the_channel_then(
    time_skipping_env: WorkflowEnvironment, make_worker, slack: FakeSlack
) -> None:
    worker = make_worker(time_skipping_env.client, slack=fake_slack_activities(slack))
    async with worker.worker:
        handle = await start_incident(worker, severity="medium")
        await handle.execute_update("add_note", {"by": "alice", "text": "looking"})
        assert slack.calls == []  # medium asks nothing of Slack
        raised = {"by": "alice", "severity": "critical", "reason": "all regions"}
        await handle.execute_update("change_severity", raised, result_type=CommandResult)
        opened = (await slack_calls(slack, "chat.postMessage", 1))[0].args
        assert shown_status(opened) == "triggered" and "critical" in opened["text"]
        # The post is made inside the activity; the incident records the thread when its result
        # comes back, a workflow task later.
        await wait_for(handle, lambda s: s.slack is not None)
