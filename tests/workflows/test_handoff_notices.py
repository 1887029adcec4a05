"""Hand-off notices on the time-skipping server, through the real SDKs to the fake providers.

The policy's rotation is written relative to the server's clock: alice's week ends 5 minutes
from now and bob's begins, so the one hand-off in sight is known exactly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import yaml
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from escalation.handoff_notices import HANDOFF_SIGNAL, ScheduleLog
from escalation.on_call_overrides import SCHEDULE_WORKFLOW, ScheduleStart, schedule_workflow_id
from escalation.policy import Policy
from escalation.policy_loader import load_policy
from tests.conftest import IncidentWorker
from tests.fakes.providers import FakeProviders
from tests.polling import poll
from tests.workflows.helpers import mails_to
from tests.workflows.test_schedule_paging import schedule_policy, tier, weekly_rotation
from worker.handoff_start import start_handoff_notices
from workflows.handoff_notices import HANDOFF_LOG_QUERY

BOB_PHONE = "+15555550102"


@asynccontextmanager
async def handing_off(
    env: WorkflowEnvironment, make_worker, providers: FakeProviders, directory: Path, notify: bool
) -> AsyncIterator[tuple[IncidentWorker, Policy]]:
    """A worker on the fake providers, running for the block, with a policy whose `primary`
    hands off in 5 minutes (and says so to the people on call if `notify`)."""
    path = await notifying_policy(env, directory, notify)
    worker = make_worker(env.client, path, transports=providers.transports())
    async with worker.worker:
        yield worker, load_policy(path)


async def notifying_policy(env: WorkflowEnvironment, directory: Path, notify: bool) -> Path:
    now = await env.get_current_time()
    primary = weekly_rotation(["alice", "bob"], now + timedelta(minutes=5) - timedelta(weeks=1))
    path = schedule_policy(directory, [tier("Tier 1", schedule="primary")], {"primary": primary})
    data = yaml.safe_load(path.read_text())
    data["schedules"]["primary"]["notify_handoffs"] = notify
    path.write_text(yaml.safe_dump(data))
    return path


async def handoff_log(client: Client) -> ScheduleLog:
    handle = client.get_workflow_handle(schedule_workflow_id("primary"))
    return await handle.query(HANDOFF_LOG_QUERY, result_type=ScheduleLog)


def texts_to(providers: FakeProviders, number: str) -> list[str]:
    return [
        r.form["Body"] for r in providers.requests_to("Messages.json") if r.form["To"] == number
    ]


async def test_the_incoming_person_hears_of_their_shift_at_the_hand_off(
    time_skipping_env: WorkflowEnvironment, make_worker, providers: FakeProviders, tmp_path: Path
) -> None:
    env = time_skipping_env
    async with handing_off(env, make_worker, providers, tmp_path, True) as (worker, policy):
        started = await start_handoff_notices(env.client, policy, worker.task_queue)
        assert started == ["primary"]
        worker.track(schedule_workflow_id("primary"))
        await poll(lambda: handoff_log(env.client), lambda log: True, "the schedule workflow")
        assert providers.requests == []  # nothing before the hand-off
        await env.sleep(timedelta(minutes=6))
        log = await poll(
            lambda: handoff_log(env.client),
            lambda log: (
                {(n.channel, n.status) for n in log.notifications}
                >= {("sms", "sent"), ("email", "sent")}
            ),
            "the notice sent by SMS and email",
        )
    assert [n.recipient for n in log.notifications] == ["Bob Okafor", "Bob Okafor"]
    (text,) = texts_to(providers, BOB_PHONE)
    assert text.startswith("Your on-call shift: On call for primary. You are on call for primary")
    assert "Europe/Berlin" in text
    (mail,) = mails_to(providers, "bob@example.com")
    assert mail["subject"] == "Your on-call shift: On call for primary"
    assert "You are on call for primary from" in mail["content"][0]["value"]
    assert (
        texts_to(providers, "+15555550101") == [] and mails_to(providers, "alice@example.com") == []
    )


async def test_a_schedule_without_the_flag_sends_no_notice(
    time_skipping_env: WorkflowEnvironment, make_worker, providers: FakeProviders, tmp_path: Path
) -> None:
    env = time_skipping_env
    async with handing_off(env, make_worker, providers, tmp_path, False) as (worker, policy):
        assert await start_handoff_notices(env.client, policy, worker.task_queue) == []
        # Asked anyway (as a worker with an older policy would), the workflow reads the policy.
        await env.client.start_workflow(
            SCHEDULE_WORKFLOW,
            ScheduleStart(schedule="primary", handoffs=True),
            id=schedule_workflow_id("primary"),
            task_queue=worker.task_queue,
            start_signal=HANDOFF_SIGNAL,
        )
        worker.track(schedule_workflow_id("primary"))
        await env.sleep(timedelta(minutes=6))
        handle = env.client.get_workflow_handle(schedule_workflow_id("primary"))
        await poll(
            lambda: _planned_twice(handle),
            bool,
            "the hand-off passed and the next one planned",
        )
        log = await handoff_log(env.client)
    assert log.notifications == [] and log.timeline == []
    assert providers.requests == []


async def _planned_twice(handle) -> bool:
    """Two `next_handoff` activities completed: the hand-off came and went."""
    completed = 0
    scheduled: dict[int, str] = {}
    async for event in handle.fetch_history_events():
        attributes = event.activity_task_scheduled_event_attributes
        if event.HasField("activity_task_scheduled_event_attributes"):
            scheduled[event.event_id] = attributes.activity_type.name
        if event.HasField("activity_task_completed_event_attributes"):
            done = event.activity_task_completed_event_attributes.scheduled_event_id
            completed += scheduled.get(done) == "next_handoff"
    return completed >= 2
