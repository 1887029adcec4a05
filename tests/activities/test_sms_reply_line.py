"""An SMS page with a reply code: one GSM-7 segment that ends with how to answer it."""

from __future__ import annotations

from activities.message_rendering import render
from escalation import gsm7
from tests.activities.support import outbound


def test_the_reply_line_survives_a_long_title() -> None:
    message = outbound("sms", title="Primary database unreachable in every region " * 5)

    text = render(message, reply_code=12).text

    assert gsm7.septets(text) <= gsm7.SEGMENT_SEPTETS
    assert text.endswith(". Ref incident-db-primary-down. Reply 12a to ack, 12e to escalate")


def test_only_pages_awaiting_an_ack_carry_the_line() -> None:
    acknowledged = outbound("sms", status="acknowledged")
    client = outbound("sms", purpose="client_opened")

    assert "Reply" not in render(acknowledged, reply_code=3).text
    assert "Reply" not in render(client, reply_code=3).text
    assert render(outbound("sms")).text.endswith("Ack: escalation ack incident-db-primary-down")
