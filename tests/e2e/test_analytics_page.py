"""`escalation analytics --html` opened in headless Chromium: it renders, the charts are there,
and no request leaves the page (the file itself is the only thing loaded)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Request, async_playwright
from typer.testing import CliRunner

from activities.archive.database import Archive
from activities.archive.writes import record_incident, record_review
from escalation.archive import log_version
from escalation.policy import Policy
from starter.cli import app
from tests.e2e.ui_support import CHROMIUM_FLAGS, chromium_executable
from tests.escalation.analytics_history import COUNT, generate

pytestmark = pytest.mark.e2e

CHARTS = ("mtta", "mttr", "compliance", "breaches", "depth", "services")
SCREENSHOT = "ESCALATION_ANALYTICS_SCREENSHOT"
"""Set to a path to keep a screenshot of the page (docs/analytics.png was made so)."""


def filled_archive(path: Path, policy: Policy) -> dict[str, str]:
    made, reviews = generate(policy)
    archive = Archive(f"sqlite:///{path}")
    for generated in made:
        record_incident(archive.engine, generated.state, log_version(generated.state))
    for review in reviews:
        record_review(archive.engine, review, log_version(review))
    archive.dispose()
    return {"ESCALATION_ARCHIVE_URL": f"sqlite:///{path}"}


async def test_the_page_renders_its_charts_offline(tmp_path: Path, example_policy: Policy) -> None:
    env = filled_archive(tmp_path / "archive.db", example_policy)
    page_file = tmp_path / "analytics.html"
    result = CliRunner().invoke(
        app, ["analytics", "--since", "3000d", "--html", str(page_file), "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["overall"]["incidents"] == COUNT

    requests: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_executable(), headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 900})

            def seen(request: Request) -> None:
                requests.append(request.url)

            page.on("request", seen)
            await page.goto(page_file.as_uri(), wait_until="load")
            for name in CHARTS:
                chart = page.locator(f"#chart-{name} svg")
                box = await chart.bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 100, name
                assert await chart.locator("path").count() > 10, name  # drawn, not empty
            rows = await page.locator("#weekly tr").count()
            assert rows == len(figures["weekly"]) + 1
            assert await page.locator("#causes li").count() == len(figures["recurring_causes"])
            if target := __import__("os").environ.get(SCREENSHOT):
                await page.screenshot(path=target, full_page=False)
        finally:
            await browser.close()
    assert requests == [page_file.as_uri()]
