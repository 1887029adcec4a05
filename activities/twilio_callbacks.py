"""The URLs Twilio calls back for one message: its status callback and a call's keypress.

Both are built on ESCALATION_PUBLIC_URL and name the incident (and the notification or the
contact) in the query string, which Twilio's signature covers: the service can trust them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from escalation.messages import RenderedMessage

STATUS_PATH = "/v1/twilio/status"
VOICE_PATH = "/v1/twilio/voice"


def status_callback_url(public_url: str | None, message: RenderedMessage) -> str | None:
    """Where Twilio reports delivered/undelivered/failed; None without a public URL."""
    if not public_url or not message.incident_id:
        return None
    query = urlencode({"incident": message.incident_id, "notification": message.notification_id})
    return f"{public_url}{STATUS_PATH}?{query}"


def keypress_url(public_url: str | None, message: RenderedMessage) -> str | None:
    """Where a call's `<Gather>` posts the digit pressed; None without a public URL."""
    if not public_url or not message.incident_id or not message.recipient:
        return None
    query = urlencode({"incident": message.incident_id, "contact": message.recipient})
    return f"{public_url}{VOICE_PATH}?{query}"
