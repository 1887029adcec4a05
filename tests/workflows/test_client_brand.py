"""White label inside a real incident: Globex hears from its provider, responders from the house.

The example policy brands Globex as Northwind's client. Both messages go through the real
SendGrid SDK to the local fake, so the assertion is on what SendGrid would receive.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.fakes.providers import SENDGRID_PATH, FakeProviders
from tests.workflows.helpers import start_incident, wait_for


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    with FakeProviders() as fake:
        yield fake


def mail_to(providers: FakeProviders, address: str) -> dict:
    [request] = [
        r.json
        for r in providers.requests_to(SENDGRID_PATH)
        if r.json["personalizations"][0]["to"][0]["email"] == address
    ]
    return request


async def test_the_client_hears_under_its_brand_and_the_responder_under_the_house_one(
    time_skipping_env: WorkflowEnvironment, make_worker, providers: FakeProviders
) -> None:
    worker = make_worker(time_skipping_env.client, transports=providers.transports())
    async with worker.worker:
        handle = await start_incident(worker, severity="medium", clients_affected=["globex"])
        await wait_for(
            handle,
            lambda s: (
                {("client_opened", "sent"), ("page", "sent")}
                <= {(n.purpose, n.status) for n in s.notifications if n.channel == "email"}
            ),
        )

    notice = mail_to(providers, "noc@globex.example")
    assert notice["from"] == {
        "email": "servicedesk@northwind.example",
        "name": "Northwind Service Desk",
    }
    assert notice["reply_to"] == {"email": "support@northwind.example"}
    text = notice["content"][0]["value"]
    assert "Dear Globex," in text
    assert f"quoting {handle.id}." in text
    assert text.endswith("Northwind Service Desk\n+44 20 7946 0000 (24x7)")

    page = mail_to(providers, "alice@example.com")
    assert page["from"] == {"email": "pager@example.com"}
    assert "reply_to" not in page
    assert all("Northwind" not in part["value"] for part in page["content"])


async def test_the_clients_final_report_goes_out_under_its_brand(
    time_skipping_env: WorkflowEnvironment, make_worker, providers: FakeProviders
) -> None:
    worker = make_worker(time_skipping_env.client, transports=providers.transports())
    async with worker.worker:
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

    [report] = [
        r.json
        for r in providers.requests_to(SENDGRID_PATH)
        if r.json["personalizations"][0]["to"][0]["email"] == "noc@globex.example"
        and r.json["subject"].startswith("Incident report")
    ]
    assert report["from"] == {
        "email": "servicedesk@northwind.example",
        "name": "Northwind Service Desk",
    }
    assert report["reply_to"] == {"email": "support@northwind.example"}
    [copy] = [
        r.json
        for r in providers.requests_to(SENDGRID_PATH)
        if r.json["personalizations"][0]["to"][0]["email"] != "noc@globex.example"
        and r.json["subject"].startswith("Incident report")
    ]
    assert copy["from"] == {"email": "pager@example.com"} and "reply_to" not in copy
