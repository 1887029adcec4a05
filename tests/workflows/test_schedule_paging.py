"""Tiers that page schedules, on the time-skipping server: hand-offs, overrides, nobody on call.

Each policy is written relative to the test server's clock, so who is on call is known exactly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest_asyncio
import yaml
from temporalio.testing import WorkflowEnvironment

from activities.on_call import schedule_overrides
from escalation.on_call_overrides import SetOverride, schedule_workflow_id
from starter.oncall_overrides import set_override
from tests.conftest import EXAMPLE_POLICY, IncidentWorker, worker_on
from tests.workflows.helpers import (
    entries,
    minutes_after_open,
    paged_recipients,
    start_incident,
    wait_for,
)


def schedule_policy(directory: Path, tiers: list[dict], schedules: dict, repeat: int = 0) -> Path:
    """The example policy with these tiers and schedules instead of its own."""
    data = yaml.safe_load(EXAMPLE_POLICY.read_text())
    data |= {"tiers": tiers, "schedules": schedules, "repeat": repeat}
    path = directory / "policy.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def weekly_rotation(people: list[str], hand_off: datetime) -> dict:
    """A weekly rotation whose first shift starts at `hand_off` (nobody before it)."""
    layer = {"participants": people, "shift": "1w", "hand_off": hand_off.isoformat()}
    return {"time_zone": "Europe/Berlin", "layers": [layer]}


def one_rotation(  # noqa: PLR0917 (a policy in one call, as each test reads it)
    directory: Path,
    tiers: list[dict],
    name: str,
    people: list[str],
    hand_off: datetime,
    repeat: int = 0,
) -> Path:
    """A policy with these tiers and one schedule, `name`, a weekly rotation of `people`."""
    return schedule_policy(directory, tiers, {name: weekly_rotation(people, hand_off)}, repeat)


def tier(name: str, **fields: object) -> dict:
    return {"name": name, "escalate_after": "10m", **fields}


def paged_lines(state) -> list[tuple[int, str]]:
    return [(minutes_after_open(state, e.at), e.detail) for e in entries(state, "paged")]


async def test_an_incident_spanning_a_hand_off_pages_the_new_person(
    time_skipping_env: WorkflowEnvironment, make_worker, tmp_path: Path
) -> None:
    env = time_skipping_env
    now = await env.get_current_time()
    # alice's week ends 5 minutes from now; bob's begins.
    hand_off = now + timedelta(minutes=5) - timedelta(weeks=1)
    primary = [tier("Tier 1", schedule="primary")]
    policy = one_rotation(tmp_path, primary, "primary", ["alice", "bob"], hand_off, repeat=1)
    worker = make_worker(env.client, policy)
    async with worker.worker:
        handle = await start_incident(worker)
        await env.sleep(timedelta(minutes=11))
        state = await wait_for(handle, lambda s: len(entries(s, "paged")) == 2)
        assert paged_lines(state) == [
            (0, "Tier 1: alice (on call for primary) (new incident)"),
            (
                10,
                "Tier 1: bob (on call for primary) (Tier 1 did not acknowledge within 10m; "
                "repeat 1 of 1)",
            ),
        ]
        await wait_for(handle, lambda s: paged_recipients(s) == ["Alice Ng", "Bob Okafor"])


@pytest_asyncio.fixture
async def alice_on_call(
    time_skipping_env: WorkflowEnvironment, make_worker, tmp_path: Path
) -> AsyncIterator[tuple[IncidentWorker, datetime]]:
    """A worker on a policy whose one tier (repeated once) pages `primary`, where alice has been
    on call since yesterday; with the server's time when it started."""
    now = await time_skipping_env.get_current_time()
    primary = [tier("Tier 1", schedule="primary")]
    policy = one_rotation(tmp_path, primary, "primary", ["alice"], now - timedelta(days=1), 1)
    async with worker_on(time_skipping_env, make_worker, policy) as worker:
        worker.track(schedule_workflow_id("primary"))
        yield worker, now


async def test_an_override_set_while_the_incident_is_open_applies_to_the_next_page(
    time_skipping_env: WorkflowEnvironment, alice_on_call: tuple[IncidentWorker, datetime]
) -> None:
    env = time_skipping_env
    worker, now = alice_on_call
    handle = await start_incident(worker)
    override = SetOverride.model_validate(
        {"who": "carol", "from": now, "to": now + timedelta(hours=2), "by": "erin"}
    )
    held = await set_override(env.client, "primary", override, worker.task_queue)
    assert (held.who, held.schedule) == ("carol", "primary")
    await env.sleep(timedelta(minutes=11))
    state = await wait_for(handle, lambda s: len(entries(s, "paged")) == 2)
    assert [detail.split(" (")[0] for _, detail in paged_lines(state)] == [
        "Tier 1: alice",
        "Tier 1: carol",
    ]
    assert paged_lines(state)[1][1].startswith("Tier 1: carol (on call for primary)")


async def test_nobody_on_call_skips_to_the_next_tier_without_waiting(
    time_skipping_env: WorkflowEnvironment, make_worker, tmp_path: Path
) -> None:
    env = time_skipping_env
    now = await env.get_current_time()
    tiers = [tier("Tier 1", schedule="later"), tier("Tier 2", contacts=["dave"])]
    policy = one_rotation(tmp_path, tiers, "later", ["alice"], now + timedelta(days=30))
    worker = make_worker(env.client, policy)
    async with worker.worker:
        handle = await start_incident(worker)
        state = await wait_for(handle, lambda s: bool(entries(s, "paged")))
        nobody = entries(state, "nobody_on_call")
        assert [(minutes_after_open(state, e.at), e.detail) for e in nobody] == [
            (0, "Tier 1: nobody on call for later")
        ]
        assert paged_lines(state) == [
            (0, "Tier 2: dave (nobody on call for Tier 1 (later))"),
        ]
        assert state.tier == 2


async def test_a_policy_with_nobody_on_call_pages_management_at_once(
    time_skipping_env: WorkflowEnvironment, make_worker, tmp_path: Path
) -> None:
    env = time_skipping_env
    now = await env.get_current_time()
    tiers = [tier("Tier 1", schedule="later"), tier("Tier 2", schedule="later")]
    policy = one_rotation(tmp_path, tiers, "later", ["alice"], now + timedelta(days=30))
    worker = make_worker(env.client, policy)
    async with worker.worker:
        handle = await start_incident(worker)
        state = await wait_for(handle, lambda s: s.position.exhausted)
        escalated = entries(state, "escalated")
        assert [minutes_after_open(state, e.at) for e in escalated] == [0]
        assert "no tier reached anyone" in escalated[0].detail
        assert len(entries(state, "nobody_on_call")) == 2
        assert entries(state, "paged") == []
        await wait_for(
            handle, lambda s: "Erin Walsh (Head of Support)" in paged_recipients(s, "escalation")
        )


async def test_an_override_is_dropped_when_it_ends(
    time_skipping_env: WorkflowEnvironment, alice_on_call: tuple[IncidentWorker, datetime]
) -> None:
    env = time_skipping_env
    worker, now = alice_on_call
    for who, hours in (("carol", 1), ("dave", 3)):
        cover = SetOverride.model_validate(
            {"who": who, "from": now, "to": now + timedelta(hours=hours)}
        )
        await set_override(env.client, "primary", cover, worker.task_queue)
    await env.sleep(timedelta(hours=2))
    held = await schedule_overrides(env.client, "primary")
    assert [override.who for override in held] == ["dave"]
