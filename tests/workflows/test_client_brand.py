"""White label inside a real incident: Globex hears from its provider, responders from the house.

The example policy brands Globex as Northwind's client. Both messages go through the real
SendGrid SDK to the local fake, so the assertion is on what SendGrid would receive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.conftest import IncidentWorker
from tests.fakes.providers import SENDGRID_PATH, FakeProviders
from tests.workflows.helpers import mail_recipient, mails_to, start_incident, wait_for

NORTHWIND = {"email": "servicedesk@northwind.example", "name": "Northwind Service Desk"}
NORTHWIND_REPLY_TO = {"email": "support@northwind.example"}
HOUSE = {"email": "pager@example.com"}


@pytest_asyncio.fixture
async def worker(
    time_skipping_env: WorkflowEnvironment,
    make_worker: Callable[..., IncidentWorker],
    providers: FakeProviders,
) -> AsyncIterator[IncidentWorker]:
    """A worker sending through the real SendGrid SDK to the fake, for the whole test."""
    started = make_worker(time_skipping_env.client, transports=providers.transports())
    async with started.worker:
        yield started


async def test_the_client_hears_under_its_brand_and_the_responder_under_the_house_one(
    worker: IncidentWorker, providers: FakeProviders
) -> None:
    handle = await start_incident(worker, severity="medium", clients_affected=["globex"])
    await wait_for(
        handle,
        lambda s: (
            {("client_opened", "sent"), ("page", "sent")}
            <= {(n.purpose, n.status) for n in s.notifications if n.channel == "email"}
        ),
    )

    [notice] = mails_to(providers, "noc@globex.example")
    assert notice["from"] == NORTHWIND
    assert notice["reply_to"] == NORTHWIND_REPLY_TO
    text = notice["content"][0]["value"]
    assert "Dear Globex," in text
    assert f"quoting {handle.id}." in text
    assert text.endswith("Northwind Service Desk\n+44 20 7946 0000 (24x7)")

    [page] = mails_to(providers, "alice@example.com")
    assert page["from"] == HOUSE
    assert "reply_to" not in page
    assert all("Northwind" not in part["value"] for part in page["content"])


async def test_the_clients_final_report_goes_out_under_its_brand(
    worker: IncidentWorker, providers: FakeProviders
) -> None:
    handle = await start_incident(worker, severity="high", clients_affected=["globex"])
    resolve = {"by": "alice", "cause": "expired cert", "resolution": "rotated the cert"}
    await handle.execute_update("resolve", resolve)
    await wait_for(
        handle,
        lambda s: (
            {
                ("final_report_client", "noc@globex.example"),
                ("final_report_client", "frank@example.com"),
            }
            <= {(n.purpose, n.to) for n in s.notifications if n.status == "sent"}
        ),
    )

    reports = [
        r.json
        for r in providers.requests_to(SENDGRID_PATH)
        if r.json["subject"].startswith("Incident report")
    ]
    [report] = [m for m in reports if mail_recipient(m) == "noc@globex.example"]
    assert report["from"] == NORTHWIND
    assert report["reply_to"] == NORTHWIND_REPLY_TO
    [copy] = [m for m in reports if mail_recipient(m) != "noc@globex.example"]
    assert copy["from"] == HOUSE and "reply_to" not in copy
