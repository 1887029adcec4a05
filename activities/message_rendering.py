"""How a message reads on each channel: the templates, the GSM-7 budget of an SMS, bundles."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from jinja2 import Environment, Template
from markupsafe import escape

from activities.client_rendering import render_client_email
from activities.template_files import template_environment
from escalation import gsm7
from escalation.actions import RESPONDER_PURPOSES
from escalation.brands import sender_of
from escalation.client_notice import CLIENT_STATUS, NOTICE_HEADLINES
from escalation.messages import BundledPage, OutboundMessage, RenderedMessage

HEADLINES: dict[str, str] = {
    "page": "You are paged",
    "consult": "Your help is requested",
    "escalation": "Escalated to management",
    "ack_breach": "Acknowledgment SLA breached",
    "resolve_warning": "Resolution SLA warning",
    "resolve_breach": "Resolution SLA breached",
    **NOTICE_HEADLINES,
    "stakeholder_opened": "New incident",
    "stakeholder_breach": "SLA breached",
    "stakeholder_resolved": "Incident resolved",
    "review_assigned": "Post-incident review assigned to you",
    "review_invitation": "Your input is requested for a post-incident review",
    "review_reminder": "Post-incident review reminder",
    "review_overdue": "Post-incident review overdue",
    "action_item_reminder": "Action item due",
    "handoff": "Your on-call shift",
}


SUBJECT_LIMIT = 200
"""Characters kept of a subject: mail clients show far fewer, and RFC 5322 lines stop at 998."""


@cache
def _templates() -> Environment:
    return template_environment()


def render(
    message: OutboundMessage,
    links: Mapping[str, str] | None = None,
    reply_code: int | None = None,
) -> RenderedMessage:
    """Fill the channel's template with the incident facts: an email's action links, and an SMS
    page's reply code ending it with how to answer (`Reply 12a to ack, 12e to escalate`)."""
    if message.bundled:
        return _render_bundle(message)
    client_facing = message.purpose.startswith("client_")
    status = message.facts.status
    context = {
        "m": message,
        "f": message.facts,
        "title": message.facts.title,
        "status": CLIENT_STATUS.get(status, status) if client_facing else status,
        "headline": HEADLINES[message.purpose],
        "client_facing": client_facing,
        "can_ack": can_reply(message),
        "links": dict(links or {}),
        "reply_code": reply_code,
    }
    environment = _templates()
    own = "handoff_" if message.purpose == "handoff" else ""  # a shift notice has its own words
    subject = " ".join(environment.get_template(f"{own}subject.j2").render(context).split())
    html: str | None = None
    if message.channel == "sms":
        text = _sms_text(environment.get_template(f"{own}sms.j2"), context)
    else:
        text = environment.get_template(f"{own}{message.channel}.j2").render(context).strip()
    if message.channel == "email" and client_facing:
        text, html = render_client_email(message)
    elif message.channel == "email":
        html = environment.get_template(f"{own}email.html.j2").render(context).strip()
    return RenderedMessage(
        notification_id=message.notification_id,
        channel=message.channel,
        to=message.address,
        subject=subject[:SUBJECT_LIMIT],
        text=text,
        html=html,
        incident_id=message.facts.incident_id,
        purpose=message.purpose,
        recipient=message.recipient,
        sender=sender_of(message.brand) if client_facing else None,
    )


def can_reply(message: OutboundMessage) -> bool:
    """A responder's message while the incident waits for someone to take it."""
    return message.purpose in RESPONDER_PURPOSES and message.facts.status == "triggered"


def _sms_text(template: Template, context: dict[str, object]) -> str:
    """One GSM-7 segment: the title gives way first, so the ack command survives intact."""
    title = gsm7.to_gsm7_ascii(str(context["title"]))
    text = gsm7.to_gsm7_ascii(template.render({**context, "title": title}))
    overflow = gsm7.septets(text) - gsm7.SEGMENT_SEPTETS
    if overflow > 0:
        title = gsm7.shorten(title, max(gsm7.septets(title) - overflow, 0))
        text = gsm7.to_gsm7_ascii(template.render({**context, "title": title}))
    return gsm7.shorten(text, gsm7.SEGMENT_SEPTETS)


BUNDLE_HEADLINE = "{count} {pages} held by rate limit"
BUNDLE_SMS_TAIL = " Details: escalation list"
BUNDLE_VOICE_ITEMS = 10
"""Held messages a bundled call reads out; the rest are counted."""


def _render_bundle(message: OutboundMessage) -> RenderedMessage:
    """One message for everything a throttle held back: what each was, most urgent facts first."""
    pages = message.bundled
    headline = BUNDLE_HEADLINE.format(
        count=len(pages), pages="page" if len(pages) == 1 else "pages"
    )
    lines = [f"[{p.severity}] {HEADLINES[p.purpose]}: {p.service}: {p.title}" for p in pages]
    html: str | None = None
    if message.channel == "sms":
        text = _bundle_sms_text(headline, pages)
    elif message.channel == "voice":
        spoken = [
            f"Severity {p.severity}. Service {p.service[:60]}. {p.title[:200]}."
            for p in pages[:BUNDLE_VOICE_ITEMS]
        ]
        if len(pages) > BUNDLE_VOICE_ITEMS:
            spoken.append(f"And {len(pages) - BUNDLE_VOICE_ITEMS} more.")
        text = " ".join(["This is the incident escalation service.", f"{headline}.", *spoken])
    else:
        text = "\n".join([headline, "", *lines, "", "Details: escalation list"])
        html = f"<pre>{escape(text)}</pre>"
    return RenderedMessage(
        notification_id=message.notification_id,
        channel=message.channel,
        to=message.address,
        subject=f"{headline}: {lines[0]}"[:SUBJECT_LIMIT],
        text=text,
        html=html,
        incident_id=message.facts.incident_id,
        purpose=message.purpose,
    )


def _bundle_sms_text(headline: str, pages: list[BundledPage]) -> str:
    """As many held pages as fit one GSM-7 segment, then how many more there were.

    One severity for all is said once, up front; otherwise each page carries its own.
    """
    severities = {p.severity for p in pages}
    if len(severities) == 1:
        headline = f"[{pages[0].severity.upper()}] {headline}"
    items = [
        gsm7.to_gsm7_ascii(
            ("" if len(severities) == 1 else f"[{p.severity.upper()}] ")
            + f"{p.title} ({p.service[:20]})"
        )
        for p in pages
    ]
    for shown in range(len(items), 0, -1):
        more = f" +{len(items) - shown} more." if shown < len(items) else ""
        fixed = gsm7.septets(f"{headline}: .{more}{BUNDLE_SMS_TAIL}") + 2 * (shown - 1)
        each = (gsm7.SEGMENT_SEPTETS - fixed) // shown
        if each >= BUNDLE_SMS_ITEM_MIN or shown == 1:
            listed = "; ".join(gsm7.shorten(item, max(each, 0)) for item in items[:shown])
            end = "" if listed.endswith(gsm7.ELLIPSIS) else "."
            text = f"{headline}: {listed}{end}{more}{BUNDLE_SMS_TAIL}"
            return gsm7.shorten(text, gsm7.SEGMENT_SEPTETS)
    return gsm7.shorten(headline, gsm7.SEGMENT_SEPTETS)


BUNDLE_SMS_ITEM_MIN = 36
"""Fewest septets a held page gets in a bundled SMS before the rest are only counted."""
