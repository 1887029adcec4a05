"""Paging called off in the order the pages started, so another worker replays it the same way.

Several pages retry against a provider that is down; someone acknowledges. Each page called off
issues its own commands (a grace timer, then its activity's cancel), so their order is part of the
history. The incident used to keep its pages in a set and cancel them in memory-address order,
which a worker replaying the history in another process does not share: its replay fails
(nondeterminism, or "Fatal error in workflow machines") and the live incident stops. Here the
history is replayed in a fresh process, as that worker would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.conftest import EXAMPLE_POLICY, ROOT
from tests.fakes.providers import SENDGRID_PATH, FakeProviders, sendgrid_error
from tests.polling import poll
from tests.workflows.helpers import start_incident, wait_for, workflow_task_failures

pytestmark = pytest.mark.slow

PAGED = ("alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com")
FOUR_PAGES_BY_EMAIL = EXAMPLE_POLICY.read_text().replace(
    "contacts: [alice], escalate_after: 10m",
    "contacts: [alice, bob, carol, dave], escalate_after: 10m",
)
REPLAY_SECONDS = 120


@pytest.fixture
def acked_during_outage(
    time_skipping_env: WorkflowEnvironment, make_worker, providers, tmp_path: Path
):
    """The history of a medium incident (pages by email) acknowledged while four pages retry."""

    async def record() -> tuple[Path, str]:
        policy = tmp_path / "policy.yaml"
        assert EXAMPLE_POLICY.read_text() != FOUR_PAGES_BY_EMAIL
        policy.write_text(FOUR_PAGES_BY_EMAIL)
        providers.inject(SENDGRID_PATH, sendgrid_error(503, "Service unavailable"), 10_000)
        worker = make_worker(time_skipping_env.client, policy, providers.transports())
        async with worker.worker:
            handle = await start_incident(worker)
            await poll(
                lambda: _attempted(providers),
                lambda to: set(PAGED) <= to,
                "a failed attempt of every page",
            )
            await handle.execute_update("acknowledge", {"by": "alice"})
            state = await wait_for(
                handle,
                lambda s: (
                    sum(n.purpose == "page" and n.status == "cancelled" for n in s.notifications)
                    == len(PAGED)
                ),
            )
            assert state.status == "acknowledged"
            assert await workflow_task_failures(handle) == []
            history = await handle.fetch_history()
        path = tmp_path / "history.json"
        path.write_text(history.to_json(), encoding="utf-8")
        return path, handle.id

    return record


async def _attempted(providers: FakeProviders) -> set[str]:
    return {
        to["email"]
        for request in providers.requests_to(SENDGRID_PATH)
        for personalization in request.json["personalizations"]
        for to in personalization["to"]
    }


def replay_in_a_fresh_process(
    path: Path, workflow_id: str, *options: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.replay.replay_file",
            str(path),
            f"--workflow-id={workflow_id}",
            *options,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=REPLAY_SECONDS,
        check=False,
    )


def last_line(replayed: subprocess.CompletedProcess[str]) -> str:
    """The replay's verdict (the SDK logs its own warnings before it)."""
    lines = (replayed.stdout + replayed.stderr).strip().splitlines()
    return next((line for line in reversed(lines) if line.startswith("replay")), lines[-1])


async def test_an_ack_during_an_outage_replays_in_another_process(acked_during_outage) -> None:
    replayed = replay_in_a_fresh_process(*await acked_during_outage())
    assert replayed.returncode == 0, last_line(replayed)


async def test_the_replay_catches_paging_called_off_in_another_order(acked_during_outage) -> None:
    """What the test above guards against: the same history, pages called off in reverse."""
    replayed = replay_in_a_fresh_process(
        *await acked_during_outage(), "--reverse-page-cancellation"
    )
    assert replayed.returncode == 1, last_line(replayed)
    assert last_line(replayed).startswith("replay failed: "), last_line(replayed)
