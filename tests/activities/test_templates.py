"""Every purpose reads right on every channel: escaped HTML, one-segment ASCII SMS, speakable voice."""

from __future__ import annotations

from datetime import timedelta
from typing import get_args

import pytest

from activities.message_rendering import HEADLINES
from escalation import gsm7
from escalation.actions import RESPONDER_PURPOSES, Purpose
from escalation.incident import Resolution
from tests.activities.support import OPENED, rendered

PURPOSES: tuple[Purpose, ...] = get_args(Purpose)
SCRIPT_TITLE = 'Checkout <script>alert("x")</script> & "quotes"'
LONG_TITLE = ("🔥 Zahlungsausfall für Kunden \u2013 \u201cdringend\u201d 東京 " * 6)[:200]
RESOLVED = Resolution(
    cause="Expired TLS certificate <b>",
    resolution="Rotated the certificate",
    preventive_measures=["Alert 14 days before expiry"],
)


def gsm7_ascii_only(text: str) -> bool:
    return all(char in gsm7.GSM7_ASCII or char in gsm7.GSM7_EXTENSION for char in text)


def test_every_purpose_has_a_headline() -> None:
    assert set(HEADLINES) == set(PURPOSES)


@pytest.mark.parametrize("purpose", PURPOSES)
def test_email_has_subject_text_and_escaped_html(purpose: Purpose) -> None:
    message = rendered("email", purpose, title=SCRIPT_TITLE, resolution=RESOLVED, text="a < b")

    if purpose.startswith("client_"):
        expected_subject = f"[Investigating] {SCRIPT_TITLE}"
    elif purpose == "handoff":  # a shift notice is about no incident: no severity, no service
        expected_subject = f"{HEADLINES[purpose]}: {SCRIPT_TITLE}"
    else:
        expected_subject = f"[critical] {HEADLINES[purpose]}: billing-db: {SCRIPT_TITLE}"
    assert message.subject == expected_subject
    assert message.text.startswith(HEADLINES[purpose])
    assert SCRIPT_TITLE in message.text  # plain text is not HTML: nothing to escape
    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in message.html
    if purpose != "handoff":  # a shift notice carries no resolution and no update text
        assert "Expired TLS certificate &lt;b&gt;" in message.html
        assert "a &lt; b" in message.html
    assert (message.incident_id, message.purpose) == ("incident-db-primary-down", purpose)


@pytest.mark.parametrize("purpose", [p for p in PURPOSES if p != "handoff"])
def test_client_emails_keep_internal_details_out(purpose: Purpose) -> None:
    """Incident messages only: a shift notice names no tier or service of any incident."""
    message = rendered("email", purpose)
    client_facing = purpose.startswith("client_")

    for body in (message.text, message.html or ""):
        assert ("Tier 1 frontline" in body) is not client_facing
        assert ("billing-db" in body) is not client_facing


@pytest.mark.parametrize("purpose", PURPOSES)
@pytest.mark.parametrize("title", ["Primary database unreachable", LONG_TITLE, SCRIPT_TITLE])
def test_sms_fits_one_gsm7_segment(purpose: Purpose, title: str) -> None:
    text = rendered("sms", purpose, title=title).text

    assert gsm7.septets(text) <= gsm7.SEGMENT_SEPTETS
    assert text.isascii()
    assert gsm7_ascii_only(text)
    assert HEADLINES[purpose] in text
    assert rendered("sms", purpose, title=title).html is None


def test_a_long_sms_title_gives_way_and_the_ack_command_survives() -> None:
    text = rendered("sms", "page", title=LONG_TITLE).text

    assert text.startswith('[CRITICAL] Zahlungsausfall fur Kunden - "dringend" DongJing')
    assert "..." in text
    assert text.endswith("Ack: escalation ack incident-db-primary-down")
    assert "fire" not in text  # emoji are dropped, not spelled out


def test_short_sms_is_left_whole() -> None:
    text = rendered("sms", "page").text

    assert text == (
        "[CRITICAL] Primary database unreachable (billing-db). You are paged. "
        "Ack: escalation ack incident-db-primary-down"
    )


@pytest.mark.parametrize("purpose", PURPOSES)
def test_voice_reads_the_headline_and_title(purpose: Purpose) -> None:
    text = rendered("voice", purpose, title=LONG_TITLE).text

    assert HEADLINES[purpose] in text
    assert LONG_TITLE[:50] in text


@pytest.mark.parametrize(
    ("status", "label"),
    [("triggered", "Investigating"), ("acknowledged", "Identified"), ("resolved", "Resolved")],
)
def test_clients_read_status_page_words(status: str, label: str) -> None:
    email = rendered("email", "client_update", status=status)
    sms = rendered("sms", "client_update", status=status)

    assert email.subject.startswith(f"[{label}] ")
    assert f"Status:      {label}" in email.text
    assert sms.text.endswith(f"Status {label}.")
    assert f"Status:    {status}" in rendered("email", "page", status=status).text


def test_nobody_outside_the_response_is_a_responder() -> None:
    outside = ("client_", "stakeholder_", "review_", "action_item_", "handoff")
    assert RESPONDER_PURPOSES
    assert not [purpose for purpose in RESPONDER_PURPOSES if purpose.startswith(outside)]


@pytest.mark.parametrize("purpose", PURPOSES)
@pytest.mark.parametrize("status", ["triggered", "acknowledged", "resolved"])
def test_the_ack_command_is_offered_only_where_it_can_work(purpose: Purpose, status: str) -> None:
    offered = purpose in RESPONDER_PURPOSES and status == "triggered"

    for channel in ("email", "sms"):
        message = rendered(channel, purpose, status=status)
        assert ("escalation ack incident-db-primary-down" in message.text) is offered


def test_a_review_reminder_sms_carries_its_text_instead() -> None:
    text = rendered(
        "sms", "action_item_reminder", status="resolved", text="Rotate certs: due 2026-12-01."
    ).text

    assert text.endswith(
        "Action item due. Ref incident-db-primary-down. Rotate certs: due 2026-12-01."
    )


def test_client_update_email_shows_the_eta_and_next_update() -> None:
    message = rendered(
        "email",
        "client_update",
        text="Payments are recovering.",
        eta=OPENED + timedelta(hours=2),
        next_update_due=OPENED + timedelta(minutes=30),
    )

    assert "Resolution expected by: Sun 22 Nov 2026, 16:05 UTC" in message.text
    assert "Next update by: Sun 22 Nov 2026, 14:35 UTC" in message.text
    assert "Payments are recovering." in (message.html or "")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly ten", 11, "exactly ten"),
        ("a longer line", 8, "a lon..."),
        ("[[[[", 6, "[..."),  # brackets cost two septets each
        ("anything", 2, ".."),
    ],
)
def test_shorten_counts_septets(text: str, limit: int, expected: str) -> None:
    assert gsm7.shorten(text, limit) == expected
    assert gsm7.septets(gsm7.shorten(text, limit)) <= limit


def test_transliteration_keeps_meaning_and_drops_what_gsm7_cannot_carry() -> None:
    assert gsm7.to_gsm7_ascii("Café “ß” 5 € `x`\n\tnext 👩‍💻") == "Cafe \"ss\" 5 EUR 'x' next"


def test_a_title_cannot_break_the_subject_line() -> None:
    subject = rendered("email", "page", title="Disk full\r\nBcc: attacker@example.com").subject

    assert "\n" not in subject and "\r" not in subject
    assert subject.endswith("Disk full Bcc: attacker@example.com")
