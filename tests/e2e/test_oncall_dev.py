"""`escalation oncall` and `escalation oncall override` against the dev stack, end to end.

Real processes only: the dev server, `python -m worker`, the `escalation` console script. An
override set from the CLI shows in `escalation oncall` and reaches the next incident's page;
one for someone outside the policy is refused.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.polling import poll
from tests.processes import Stack, WorkerProcess, escalation, status_of

pytestmark = pytest.mark.e2e


async def on_call(stack: Stack) -> dict:
    shown = await escalation(stack, "oncall", "primary", "--json")
    assert shown.code == 0, shown.stderr
    assert "overrides not read" not in shown.stderr
    (primary,) = json.loads(shown.stdout)["schedules"]
    return primary


async def test_override_from_the_cli_is_listed_and_paged(stack: Stack) -> None:
    worker = await WorkerProcess.start(stack)
    await worker.wait_until_polling()
    now = datetime.now(UTC)
    window = ["--from", (now - timedelta(minutes=1)).isoformat(), "--to"]
    until = (now + timedelta(hours=2)).isoformat()

    refused = await escalation(
        stack, "oncall", "override", "primary", "--who", "mallory", *window, until
    )
    assert refused.code == 1
    assert refused.stderr.startswith(
        "error: set_override: 'mallory' is not a contact in the policy"
    )

    made = await escalation(
        stack, "oncall", "override", "primary", "--who", "carol", *window, until, "--by", "erin"
    )
    assert made.code == 0, made.stderr
    found = re.match(r"set (o-[0-9a-f]{8}): carol on call for primary from ", made.stdout)
    assert found, made.stdout
    override_id = found[1]

    primary = await on_call(stack)
    assert (primary["on_call"]["who"], primary["on_call"]["source"]) == ("carol", "override")
    assert [held["id"] for held in primary["overrides"]] == [override_id]

    key = f"e2e-{uuid.uuid4().hex[:8]}"
    opened = await escalation(
        stack, "open", "--title", "checkout failing", "--service", "payments", "--dedup-key", key
    )
    assert opened.code == 0, opened.stderr
    state = await poll(
        lambda: status_of(stack, key),
        lambda s: s is not None and any(e["kind"] == "paged" for e in s["timeline"]),
        f"{key} paged",
    )
    assert state is not None
    paged = next(e["detail"] for e in state["timeline"] if e["kind"] == "paged")
    assert paged.startswith("Tier 1 frontline: alice, carol (on call for primary)")

    removed = await escalation(stack, "oncall", "override", "primary", "--remove", override_id)
    assert removed.code == 0, removed.stderr
    assert removed.stdout.startswith(f"removed {override_id}: carol")
    primary = await on_call(stack)
    assert primary["overrides"] == []
    assert primary["on_call"]["source"] == "weekly"

    again = await escalation(stack, "oncall", "override", "primary", "--remove", override_id)
    assert again.code == 1
    assert f"no override {override_id!r}" in again.stderr
    code, _ = await worker.terminate()
    assert code == 0, worker.log()
