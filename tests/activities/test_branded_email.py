"""A client's brand on the wire: what SendGrid receives for a branded notice and for a page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sendgrid import SendGridAPIClient

from activities.message_rendering import render
from activities.sendgrid_transport import SendGridTransport
from escalation.brands import Brand
from escalation.messages import OutboundMessage
from tests.activities.support import EMAIL_FROM, OPENED, QUICK_TIMEOUT, facts, outbound
from tests.fakes.providers import FakeProviders

OVERRIDE = (
    "<div>{{ notice.provider }}: {{ notice.headline }} for {{ notice.client }}, "
    "ref {{ notice.reference }}, next by {{ notice.at(notice.next_update) }}</div>"
)
NORTHWIND = Brand(
    provider_name="Northwind Managed Services",
    sender_name="Northwind Service Desk",
    sender_email="servicedesk@northwind.example",
    reply_to="support@northwind.example",
    signature="Northwind Service Desk",
    templates={"update": "brands/update.html.j2"},
    template_sources={"update": OVERRIDE},
)


@pytest.fixture
def transport(sendgrid: SendGridAPIClient) -> SendGridTransport:
    return SendGridTransport(sendgrid, EMAIL_FROM, timeout=QUICK_TIMEOUT)


def client_update(brand: Brand | None) -> OutboundMessage:
    return OutboundMessage(
        notification_id="incident-db-primary-down/email/7",
        purpose="client_update",
        channel="email",
        recipient="Globex (Globex NOC)",
        address="noc@globex.example",
        facts=facts(
            text="Payments are recovering.", next_update_due=OPENED + timedelta(minutes=30)
        ),
        client="Globex",
        brand=brand,
    )


def test_a_branded_client_update_goes_out_from_the_brand_with_its_template(
    transport: SendGridTransport, providers: FakeProviders
) -> None:
    message = render(client_update(NORTHWIND))

    transport.send(message)

    [request] = providers.requests
    body = request.json
    assert body["from"] == {
        "email": "servicedesk@northwind.example",
        "name": "Northwind Service Desk",
    }
    assert body["reply_to"] == {"email": "support@northwind.example"}
    assert body["personalizations"] == [{"to": [{"email": "noc@globex.example"}]}]
    text, html = body["content"]
    assert html == {
        "type": "text/html",
        "value": "<div>Northwind Managed Services: Incident update for Globex, ref "
        "incident-db-primary-down, next by Sun 22 Nov 2026, 14:35 UTC</div>",
    }
    assert text["type"] == "text/plain"
    assert text["value"].startswith("Incident update\n")
    assert "Dear Globex,\n\nPayments are recovering." in text["value"]
    assert "write to support@northwind.example, quoting incident-db-primary-down." in text["value"]
    assert text["value"].endswith("Northwind Service Desk")


def test_a_brand_without_its_own_address_sends_from_the_house_address_under_its_name(
    transport: SendGridTransport, providers: FakeProviders
) -> None:
    brand = NORTHWIND.model_copy(update={"sender_email": None, "sender_name": None})
    transport.send(render(client_update(brand)))

    [request] = providers.requests
    assert request.json["from"] == {
        "email": "escalation@example.com",
        "name": "Northwind Managed Services",
    }


def test_an_unbranded_client_hears_the_house_notice_from_the_house_sender(
    transport: SendGridTransport, providers: FakeProviders
) -> None:
    transport.send(render(client_update(None)))

    [request] = providers.requests
    assert request.json["from"] == {"email": "escalation@example.com", "name": "Escalation"}
    assert "reply_to" not in request.json
    html = request.json["content"][1]["value"]
    assert "Dear Globex," in html
    assert "Northwind" not in html


def test_a_responder_page_keeps_the_house_brand_even_if_a_brand_is_attached(
    transport: SendGridTransport, providers: FakeProviders
) -> None:
    page = outbound("email", "page").model_copy(update={"client": "Globex", "brand": NORTHWIND})

    transport.send(render(page))

    [request] = providers.requests
    assert request.json["from"] == {"email": "escalation@example.com", "name": "Escalation"}
    assert "reply_to" not in request.json
    assert all("Northwind" not in part["value"] for part in request.json["content"])
