"""Driving the Temporal UI (2.54, served by `temporal server start-dev`) with Playwright.

Headless Debian Chromium from the system (never a Playwright browser download). Every wait is
one of Playwright's own, with a timeout; nothing sleeps for a fixed time.

What the UI does, as seen here:
- "More Actions" opens a menu with "Send a Signal" and "Send an Update". Each opens a dialog whose
  name dropdown lists the workflow's handlers with their descriptions (read from the
  `__temporal_workflow_metadata` query); the argument box is a CodeMirror editor labelled "Data".
- While that editor has focus, the first click on Submit only takes the focus away and nothing
  is sent. So the editor is blurred first, and the caller waits for the request itself.
- An update's answer is not shown in the dialog (a toast says "Update successful"); it is in the
  event history, as the outcome of "Workflow Execution Update Completed". A refused update keeps
  the dialog open with the validator's reason (and the worker's stack trace) in red.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from base64 import b64decode
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.async_api import Locator, Page, Response, async_playwright, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM_VARIABLE = "ESCALATION_CHROMIUM"
SCREENSHOTS_VARIABLE = "ESCALATION_UI_SCREENSHOTS"

CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000
"""Longest wait for one element or request; the UI answers in well under a second here."""
SUBMIT_MS = 3_000
"""How soon a Submit click that sends shows its request (at once, in practice)."""
REFRESH_MS = 2_000
"""How long a refreshed panel gets to show new text before it is refreshed again."""

WIDE_VIEWPORT = {"width": 1600, "height": 800}
"""For the event history only: at 1280 its Details column cuts every summary short."""

UNSCROLL_SIDEWAYS = "() => document.querySelectorAll('*').forEach(e => { e.scrollLeft = 0; })"

HIDDEN_COLUMNS = ("Status", "Run ID", "Type", "End", "Start")
INCIDENT_COLUMNS = (
    "IncidentSeverity",
    "IncidentService",
    "IncidentStatus",
    "IncidentTier",
    "Start",
)
"""The list an on-call engineer wants: what, how bad, whose, where it stands, since when; not the
execution status (running) or run ids. New columns go last: Start is removed and added back."""


def chromium_executable() -> str:
    """`$ESCALATION_CHROMIUM`, else `chromium` on PATH; the test fails (not skips) without it."""
    configured = os.environ.get(CHROMIUM_VARIABLE, "").strip()
    if configured:
        if not Path(configured).is_file():
            pytest.fail(
                f"{CHROMIUM_VARIABLE}={configured}: no such file (unset it to use `chromium` "
                "from PATH, which `make test` installs)"
            )
        return configured
    found = shutil.which("chromium")
    if not found:
        pytest.fail(
            "Chromium not found: the UI journey drives the system's Chromium and there is no "
            "`chromium` on PATH. `make test` installs it (the Debian package `chromium`); or set "
            f"{CHROMIUM_VARIABLE} to a Chromium binary."
        )
    return found


def screenshot_dir(tmp_path: Path) -> Path:
    """`$ESCALATION_UI_SCREENSHOTS` (to refresh docs/ui), else the test's own temp dir."""
    configured = os.environ.get(SCREENSHOTS_VARIABLE, "").strip()
    directory = Path(configured) if configured else tmp_path / "ui-screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@dataclass
class TemporalUi:
    """One browser tab on the Temporal UI, for the `default` namespace."""

    page: Page
    base_url: str
    screenshots: Path

    async def shot(self, name: str) -> Path:
        """The viewport as `<name>.png`: what the operator sees at this step."""
        path = self.screenshots / f"{name}.png"
        size = self.page.viewport_size or VIEWPORT
        await self.page.mouse.move(size["width"] - 1, size["height"] // 2)  # no hover tooltips
        # The page overflows sideways by a few pixels; clicks near the right edge (a toast's
        # Close) scroll it, and the picture would be cut on the left.
        await self.page.evaluate(UNSCROLL_SIDEWAYS)
        await self.page.screenshot(path=path, animations="disabled", caret="hide")
        return path

    async def dismiss_toast(self, text: str) -> None:
        """The notification the UI shows after an action: seen, then closed (not in the next shot).

        The toast's text is a paragraph next to its Close button (a live region for screen
        readers repeats the text, and stays).
        """
        message = self.page.locator("p").filter(has_text=re.compile(rf"^{re.escape(text)}$"))
        await expect(message).to_be_visible(timeout=TIMEOUT_MS)
        await message.locator("xpath=..").get_by_role("button", name="Close").click()
        await expect(message).to_be_hidden(timeout=TIMEOUT_MS)

    # -- the workflow list ---------------------------------------------------------------------

    async def open_list(self, query: str) -> None:
        """The workflow list filtered by a visibility query, as a bookmarked URL opens it."""
        await self.page.goto(
            f"{self.base_url}/namespaces/default/workflows?query={quote(query, safe='')}"
        )
        await expect(self.page.get_by_role("button", name="Configure Columns")).to_be_visible(
            timeout=TIMEOUT_MS
        )

    async def show_incident_columns(self) -> None:
        """Configure Columns: add the incident search attributes, drop what operators skip."""
        page = self.page
        await page.get_by_role("button", name="Configure Columns").click()
        for column in HIDDEN_COLUMNS:
            await page.get_by_role("button", name=f"Remove {column} column", exact=True).click()
        for column in INCIDENT_COLUMNS:
            await page.get_by_role("button", name=f"Add {column} column", exact=True).click()
        await page.get_by_role("button", name="Close Workflows Table configuration").click()
        await expect(page.get_by_text("Configure Workflows Table")).to_be_hidden(timeout=TIMEOUT_MS)

    def list_row(self, workflow_id: str) -> Locator:
        return self.page.get_by_role("row").filter(
            has=self.page.get_by_role("link", name=workflow_id, exact=True)
        )

    # -- one workflow --------------------------------------------------------------------------

    async def open_tab(self, name: str) -> None:
        await self.page.get_by_role("tab", name=re.compile(rf"^{re.escape(name)}")).click()

    def metadata(self, panel: str) -> Locator:
        """The rendered Markdown of a User Metadata panel: `summary`, `details`, `current-details`.

        Each is an iframe the UI fills from its /render endpoint.
        """
        return self.page.frame_locator(f"#user-metadata-{panel}").locator("body")

    async def current_details_show(self, text: str) -> Locator:
        """Wait until Current Details contains `text`. The panel does not refresh by itself:
        press R ("Press R for freshness", it says), the UI queries the workflow again."""
        details = self.metadata("current-details")
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            await self.page.keyboard.press("r")
            try:
                await expect(details).to_contain_text(text, timeout=REFRESH_MS)
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
            else:
                return details

    async def shot_history(self, name: str) -> Path:
        """The event history table at the top of a wider window, where its summaries fit."""
        page = self.page
        await page.set_viewport_size(WIDE_VIEWPORT)
        try:
            heading = page.get_by_role("heading", name="Event History")
            await heading.evaluate("element => element.scrollIntoView({block: 'start'})")
            await expect(heading).to_be_in_viewport(timeout=TIMEOUT_MS)
            return await self.shot(name)
        finally:
            await page.set_viewport_size(VIEWPORT)
            await page.evaluate(UNSCROLL_SIDEWAYS)  # the wide table left it scrolled

    def history_row(self, kind: str) -> Locator:
        """Rows of the event history (Compact groups an activity's or update's events in one)."""
        return self.page.get_by_test_id("event-summary-row").filter(has_text=kind)

    async def open_action(self, action: str) -> Locator:
        """More Actions -> "Send a Signal" / "Send an Update": the dialog it opens."""
        await self.page.get_by_role("button", name="More Actions").click()
        await self.page.get_by_role("menuitem", name=action).click()
        dialog = self.page.get_by_role("dialog", name=action)
        await expect(dialog).to_be_visible(timeout=TIMEOUT_MS)
        return dialog

    async def open_handler_dropdown(self, dialog: Locator, kind: str) -> None:
        """The name dropdown of a Send a Signal (`signal`) or Send an Update (`update`) dialog."""
        await dialog.get_by_test_id(f"{kind}-select-button").filter(visible=True).click()

    @staticmethod
    def handler_option(dialog: Locator, name: str) -> Locator:
        """A handler in the open dropdown: its name, then its description."""
        return dialog.get_by_role("option").filter(has_text=re.compile(rf"^\s*{name}\b"))

    async def type_argument(self, dialog: Locator, argument: dict[str, Any]) -> None:
        """Type the JSON into the Data editor, then leave it so Submit takes the first click."""
        editor = dialog.get_by_role("textbox", name="Data")
        await editor.click()
        # insert_text, not typing: the editor would auto-close every bracket and quote typed.
        await self.page.keyboard.insert_text(json.dumps(argument))
        await editor.blur()

    async def submit(self, dialog: Locator, path: str) -> Response:
        """Submit and wait for the server's answer to the UI's `signal/<name>` / `update/<name>`.

        The editor was left, so one click sends. Should it only have taken the focus (see the
        module notes), no request leaves within SUBMIT_MS and Submit is clicked once more: safe,
        since it is the request that is awaited, never a fixed time.
        """
        submit = dialog.get_by_role("button", name="Submit")
        for attempt in (1, 2):
            try:
                async with self.page.expect_request(
                    lambda request: f"/{path}" in request.url and request.method == "POST",
                    timeout=SUBMIT_MS if attempt == 1 else TIMEOUT_MS,
                ) as sent:
                    await submit.click()
                break
            except PlaywrightTimeoutError:
                if attempt == 2:
                    raise
        response = await (await sent.value).response()
        assert response is not None, f"no answer to {path}"
        return response


@contextlib.asynccontextmanager
async def temporal_ui(base_url: str, screenshots: Path, failure: Path) -> AsyncIterator[TemporalUi]:
    """A tab in headless system Chromium on the UI at `base_url`; Playwright downloads nothing.

    If the block fails, what the page showed then is saved as `failure`.
    """
    executable = chromium_executable()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            context = await browser.new_context(
                viewport=VIEWPORT, timezone_id="UTC", locale="en-US", color_scheme="light"
            )
            context.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            page = await context.new_page()
            try:
                yield TemporalUi(page=page, base_url=base_url, screenshots=screenshots)
            except BaseException:
                with contextlib.suppress(Exception):
                    await page.screenshot(path=failure)
                raise
        finally:
            await browser.close()


def update_result(body: dict[str, Any]) -> dict[str, Any]:
    """The value an update returned, from the UI's `update/<name>` response."""
    outcome = body["outcome"]
    assert "success" in outcome, f"the update failed: {outcome}"
    return json.loads(b64decode(outcome["success"]["payloads"][0]["data"]))
