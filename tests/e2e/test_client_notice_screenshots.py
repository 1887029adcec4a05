"""Client notices as a client sees them: the HTML rendered in headless Chromium.

Each notice must show, in its visible text, the client's name, the reference, what is affected,
the expected resolution and whom to contact, and fit a phone's width without sideways
scrolling. The screenshots in docs/notices come from this test:
`ESCALATION_UI_SCREENSHOTS=docs/notices .venv/bin/pytest tests/e2e/test_client_notice_screenshots.py`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from activities.message_rendering import render
from escalation.brands import Brand
from escalation.incident import Resolution
from escalation.messages import OutboundMessage
from escalation.policy_loader import load_policy
from tests.activities.support import OPENED, facts
from tests.e2e.ui_support import CHROMIUM_FLAGS, chromium_executable, screenshot_dir

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 760, "height": 900}


def northwind() -> Brand:
    brand = load_policy(EXAMPLES / "policy.yaml").clients["globex"].brand
    assert brand is not None
    return brand


def notices() -> dict[str, OutboundMessage]:
    """The notices the docs show: the house ones to ACME, Northwind's to Globex."""
    base = {
        "title": "Card payments failing at checkout",
        "service": "payments",
        "incident_id": "incident-payments-7f3a",
        "next_update_due": OPENED + timedelta(minutes=30),
    }
    override = (EXAMPLES / "brands" / "globex-update.html.j2").read_text()
    restyled = northwind().model_copy(update={"template_sources": {"update": override}})
    cases = {
        "opening-house": ("client_opened", "ACME Corp", None, {}),
        "update-northwind": (
            "client_update",
            "Globex",
            northwind(),
            {
                "status": "acknowledged",
                "text": "We traced the failures to our payment gateway's certificate and are "
                "rolling out a renewed one.",
                "eta": OPENED + timedelta(hours=1),
            },
        ),
        "update-northwind-template": (
            "client_update",
            "Globex",
            restyled,
            {"status": "acknowledged", "text": "A renewed certificate is being rolled out."},
        ),
        "resolution-house": (
            "client_resolved",
            "ACME Corp",
            None,
            {
                "status": "resolved",
                "resolution": Resolution(
                    cause="An expired TLS certificate on the payment gateway",
                    resolution="Renewed the certificate and restarted the gateway",
                    preventive_measures=["Alert 14 days before any certificate expires"],
                ),
            },
        ),
    }
    return {
        name: OutboundMessage(
            notification_id=f"n/{name}",
            purpose=purpose,  # type: ignore[arg-type]
            channel="email",
            recipient=client,
            address="client@example.com",
            facts=facts(**(base | changes)),
            client=client,
            brand=brand,
        )
        for name, (purpose, client, brand, changes) in cases.items()
    }


async def test_client_notices_read_well_on_desktop_and_phone(tmp_path: Path) -> None:
    directory = screenshot_dir(tmp_path)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_executable(), headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            for name, message in notices().items():
                html = render(message).html or ""
                for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
                    page = await browser.new_page(viewport=viewport)  # type: ignore[arg-type]
                    await page.set_content(html, wait_until="load")
                    seen = await page.inner_text("body")
                    assert message.client and message.client in seen
                    assert "incident-payments-7f3a" in seen
                    assert "Card payments failing at checkout" in seen
                    if message.purpose != "client_resolved":
                        assert "Next update" in seen
                    wide = await page.evaluate(
                        "document.documentElement.scrollWidth > window.innerWidth"
                    )
                    assert not wide, f"{name} scrolls sideways at {viewport['width']} px"
                    if not suffix or name == "update-northwind":
                        await page.screenshot(
                            path=str(directory / f"{name}{suffix}.png"), full_page=True
                        )
                    await page.close()
        finally:
            await browser.close()
