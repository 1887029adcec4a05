"""How each message reads on each channel: internal messages carry the incident, client ones don't."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest

from activities import message_rendering
from activities.message_rendering import HEADLINES, render
from escalation.actions import MessageFacts, Purpose
from escalation.contacts import Channel
from escalation.incident import Resolution
from escalation.messages import OutboundMessage, RenderedMessage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INCIDENT_ID = "INC-7f3a"
TIER = "Tier 2 specialists"
TITLE = "checkout 5xx"
CHANNELS: list[Channel] = ["email", "sms", "voice"]
INTERNAL = [p for p in HEADLINES if not p.startswith("client_") and p != "handoff"]
"""Messages about an incident to its people (a shift notice is about no incident)."""
CLIENT = [p for p in HEADLINES if p.startswith("client_")]


def facts(**overrides: Any) -> MessageFacts:
    fields: dict[str, Any] = {
        "incident_id": INCIDENT_ID,
        "title": TITLE,
        "service": "payments",
        "severity": "critical",
        "status": "triggered",
        "tier_name": TIER,
        "opened_at": T0,
        "ack_due": T0 + timedelta(minutes=15),
        "resolve_due": T0 + timedelta(hours=4),
    }
    fields.update(overrides)
    return MessageFacts(**fields)


def rendered(purpose: str, channel: Channel = "email", **fact_overrides: Any) -> RenderedMessage:
    message = OutboundMessage(
        notification_id=f"{INCIDENT_ID}/n1",
        purpose=purpose,  # type: ignore[arg-type]
        channel=channel,
        recipient="Alice Ng",
        address="alice@example.com" if channel == "email" else "+15555550101",
        facts=facts(**fact_overrides),
    )
    return render(message)


def test_every_purpose_has_a_headline() -> None:
    assert set(HEADLINES) == set(get_args(Purpose))


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("purpose", list(HEADLINES))
def test_every_message_names_the_incident_title(purpose: str, channel: Channel) -> None:
    message = rendered(purpose, channel)
    assert TITLE in message.subject
    assert TITLE in message.text
    assert HEADLINES[purpose] in message.text


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("purpose", list(HEADLINES))
def test_rendering_keeps_the_delivery_identity(purpose: str, channel: Channel) -> None:
    message = rendered(purpose, channel)
    assert message.notification_id == f"{INCIDENT_ID}/n1"
    assert message.channel == channel
    assert message.to == ("alice@example.com" if channel == "email" else "+15555550101")


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("purpose", INTERNAL)
def test_internal_messages_carry_the_severity(purpose: str, channel: Channel) -> None:
    message = rendered(purpose, channel)
    assert message.subject.startswith("[critical] ")
    assert HEADLINES[purpose] in message.subject
    assert "critical" in message.text.lower()


@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("purpose", INTERNAL)
def test_internal_written_messages_carry_the_incident_id(purpose: str, channel: Channel) -> None:
    assert INCIDENT_ID in rendered(purpose, channel).text


@pytest.mark.parametrize("purpose", INTERNAL)
def test_internal_voice_message_reads_severity_service_and_title(purpose: str) -> None:
    assert f"Severity critical. Service payments. {TITLE}." in rendered(purpose, "voice").text


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("purpose", list(HEADLINES))
def test_rendered_message_is_tagged_with_incident_and_purpose(
    purpose: str, channel: Channel
) -> None:
    message = rendered(purpose, channel)
    assert (message.incident_id, message.purpose) == (INCIDENT_ID, purpose)


@pytest.mark.parametrize("purpose", list(HEADLINES))
def test_only_email_has_an_html_part(purpose: str) -> None:
    assert rendered(purpose, "email").html is not None
    assert rendered(purpose, "sms").html is None
    assert rendered(purpose, "voice").html is None


@pytest.mark.parametrize("purpose", INTERNAL)
def test_internal_html_carries_the_incident(purpose: str) -> None:
    html = rendered(purpose, "email").html or ""
    assert TITLE in html
    assert INCIDENT_ID in html
    assert TIER in html


@pytest.mark.parametrize("purpose", CLIENT)
def test_client_html_quotes_the_reference_but_leaves_out_the_tier(purpose: str) -> None:
    html = rendered(purpose, "email").html or ""
    assert TITLE in html
    assert f"quoting {INCIDENT_ID}" in html
    assert TIER not in html


def test_html_escapes_the_title() -> None:
    html = rendered("page", "email", title="<script>x</script>").html or ""
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("purpose", INTERNAL)
def test_internal_email_shows_the_tier_and_service(purpose: str) -> None:
    text = rendered(purpose, "email").text
    assert f"Tier:      {TIER}" in text
    assert "Service:   payments" in text
    assert "Severity:  critical" in text
    assert "Ack due:   2026-03-02 09:15 UTC" in text


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("purpose", CLIENT)
def test_client_messages_leave_out_tier_severity_and_ack_due(
    purpose: str, channel: Channel
) -> None:
    message = rendered(purpose, channel)
    for internal in (TIER, "Tier", "critical", "Ack due"):
        assert internal not in message.subject
        assert internal not in message.text
    # Only an email, which can be replied to, quotes the reference.
    assert (INCIDENT_ID in message.text) == (channel == "email")


@pytest.mark.parametrize("purpose", CLIENT)
def test_client_subject_shows_the_status(purpose: str) -> None:
    assert rendered(purpose, status="acknowledged").subject == f"[Identified] {TITLE}"


@pytest.mark.parametrize("purpose", ["page", "consult"])
def test_pages_say_how_to_acknowledge(purpose: str) -> None:
    assert f"Acknowledge: escalation ack {INCIDENT_ID} --by <you>" in rendered(purpose).text


def test_informational_emails_do_not_ask_for_an_acknowledgment() -> None:
    assert "--by <you>" not in rendered("stakeholder_opened").text
    assert "--by <you>" not in rendered("page", status="acknowledged").text


def test_email_includes_the_text_and_next_update() -> None:
    text = rendered(
        "client_update",
        text="We are still investigating.",
        next_update_due=T0 + timedelta(minutes=30),
    ).text
    assert "We are still investigating." in text
    assert "Next update by: Mon 2 Mar 2026, 09:30 UTC" in text


def test_email_prefers_the_eta_to_the_sla() -> None:
    text = rendered("client_update", eta=T0 + timedelta(hours=1)).text
    assert "Resolution expected by: Mon 2 Mar 2026, 10:00 UTC" in text


def test_email_falls_back_to_the_resolution_sla() -> None:
    assert "Resolution expected by: Mon 2 Mar 2026, 13:00 UTC" in rendered("client_update").text


def test_resolution_email_lists_the_final_report() -> None:
    resolution = Resolution(
        cause="expired cert",
        resolution="rotated cert",
        preventive_measures=["alert 14 days before expiry", "automate rotation"],
    )
    text = rendered("client_resolved", status="resolved", resolution=resolution).text
    assert "Cause: expired cert" in text
    assert "What we did: rotated cert" in text
    assert "  - alert 14 days before expiry\n  - automate rotation" in text


def test_resolution_without_measures_has_no_empty_list() -> None:
    resolution = Resolution(cause="expired cert", resolution="rotated cert")
    text = rendered("stakeholder_resolved", resolution=resolution).text
    assert "Preventive measures" not in text


def test_sms_is_one_line() -> None:
    assert "\n" not in rendered("page", "sms").text
    assert rendered("page", "sms").text.startswith("[CRITICAL] checkout 5xx (payments). ")


def test_sms_with_a_long_title_fits_one_segment_and_keeps_the_ack_command() -> None:
    text = rendered("page", "sms", title="x" * 300).text
    assert len(text) <= 160
    assert text.endswith(f"Ack: escalation ack {INCIDENT_ID}")
    assert "x" * 20 in text


def test_templates_are_loaded_once() -> None:
    assert message_rendering._templates() is message_rendering._templates()
