"""The transport used for a channel with no provider credentials."""

from __future__ import annotations

from activities.outbox import Outbox
from escalation.messages import DeliveryReceipt, RenderedMessage


class OutboxTransport:
    """Writes the rendered message to the outbox instead of sending it."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def send(self, message: RenderedMessage) -> DeliveryReceipt:
        """Keep the message; the receipt says it never left the machine."""
        return DeliveryReceipt(status="outbox", provider_id=self.outbox.write(message))
