"""Chooses a transport per channel from the environment: a provider when configured, else outbox.

Email: SENDGRID_API_KEY and ESCALATION_EMAIL_FROM (SENDGRID_BASE_URL for a proxy or test double).
SMS: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID.
Voice: the same account and TWILIO_FROM_NUMBER (a Messaging Service cannot place calls).
TWILIO_BASE_URL points both Twilio channels at a proxy or test double. With ESCALATION_PUBLIC_URL
set, Twilio reports delivery to the HTTP service and calls take a keypress (api/twilio_webhooks.py).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from activities.delivery import Transport
from activities.outbox import Outbox, outbox_path
from activities.outbox_transport import OutboxTransport
from escalation.contacts import Channel
from escalation.environment import url_setting

CHANNELS: tuple[Channel, ...] = ("email", "sms", "voice")

log = logging.getLogger(__name__)


class TransportConfigError(ValueError):
    """Credentials set for a provider but incomplete: refusing to start beats paging into a file."""


def transports_from_environment(
    environ: Mapping[str, str] | None = None,
) -> dict[Channel, Transport]:
    """Every channel gets a transport; without credentials it is the outbox, said once in the log."""
    env = os.environ if environ is None else environ
    transports: dict[Channel, Transport] = {}
    email = _sendgrid(env)
    if email is not None:
        transports["email"] = email
    transports.update(_twilio(env))
    missing = [channel for channel in CHANNELS if channel not in transports]
    if missing:
        path = outbox_path()
        outbox = OutboxTransport(Outbox(path))
        for channel in missing:
            log.warning(
                "%s: no provider credentials (%s); messages are written to the outbox %s",
                channel,
                _NEEDS[channel],
                path,
            )
            transports[channel] = outbox
    return transports


_NEEDS: dict[Channel, str] = {
    "email": "SENDGRID_API_KEY, ESCALATION_EMAIL_FROM",
    "sms": "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER or "
    "TWILIO_MESSAGING_SERVICE_SID",
    "voice": "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER",
}


def _sendgrid(env: Mapping[str, str]) -> Transport | None:
    api_key = env.get("SENDGRID_API_KEY", "").strip()
    sender = env.get("ESCALATION_EMAIL_FROM", "").strip()
    if not api_key:
        return None
    if not sender:
        raise TransportConfigError("SENDGRID_API_KEY is set but ESCALATION_EMAIL_FROM is not")
    base_url = url_setting("SENDGRID_BASE_URL", environ=env)
    # Imported once configured: the CLI imports the worker module and needs no provider SDK.
    from activities.sendgrid_transport import SendGridTransport, sendgrid_client  # noqa: PLC0415

    transport = SendGridTransport(sendgrid_client(api_key, base_url), sender)
    log.info("email: SendGrid from %s%s", transport.sender["email"], _via(base_url))
    return transport


def _twilio(env: Mapping[str, str]) -> dict[Channel, Transport]:
    account_sid = env.get("TWILIO_ACCOUNT_SID", "").strip()
    auth_token = env.get("TWILIO_AUTH_TOKEN", "").strip()
    from_number = env.get("TWILIO_FROM_NUMBER", "").strip() or None
    service_sid = env.get("TWILIO_MESSAGING_SERVICE_SID", "").strip() or None
    if not (account_sid or auth_token):
        return {}
    if not (account_sid and auth_token):
        raise TransportConfigError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together")
    if not (from_number or service_sid):
        raise TransportConfigError(
            "Twilio credentials are set but neither TWILIO_FROM_NUMBER nor "
            "TWILIO_MESSAGING_SERVICE_SID is"
        )
    base_url = url_setting("TWILIO_BASE_URL", environ=env)
    public_url = (url_setting("ESCALATION_PUBLIC_URL", environ=env) or "").rstrip("/") or None
    from activities.twilio_client import twilio_client  # noqa: PLC0415
    from activities.twilio_transport import (  # noqa: PLC0415
        TwilioSmsTransport,
        TwilioVoiceTransport,
    )

    client = twilio_client(account_sid, auth_token, base_url=base_url)
    transports: dict[Channel, Transport] = {
        "sms": TwilioSmsTransport(
            client,
            from_number=from_number,
            messaging_service_sid=service_sid,
            public_url=public_url,
        )
    }
    sender = f"messaging service {service_sid}" if service_sid else from_number
    log.info("sms: Twilio account %s from %s%s", account_sid, sender, _via(base_url))
    if from_number:
        transports["voice"] = TwilioVoiceTransport(
            client, from_number=from_number, public_url=public_url
        )
        log.info("voice: Twilio account %s from %s%s", account_sid, from_number, _via(base_url))
    return transports


def _via(base_url: str | None) -> str:
    """Where a base URL override points, without any user:password it may carry."""
    if not base_url:
        return ""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f" via {parts.scheme}://{host}{port}"
