"""The delivery activity: render a message and hand it to its channel's transport."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from temporalio import activity

from activities.action_links import ActionLinks
from activities.message_rendering import render
from activities.provider_errors import our_bug
from escalation.contacts import Channel
from escalation.messages import DeliveryReceipt, OutboundMessage, RenderedMessage

log = logging.getLogger(__name__)


class Transport(Protocol):
    """A way out of the building for one channel (outbox, SendGrid, Twilio)."""

    def send(self, message: RenderedMessage) -> DeliveryReceipt:
        """Deliver or raise; permanent failures raise a non-retryable ApplicationError."""
        ...


class DeliveryActivities:
    """Activities with their transports injected, registered as bound methods on the worker."""

    def __init__(
        self, transports: Mapping[Channel, Transport], links: ActionLinks | None = None
    ) -> None:
        self.transports = transports
        self.links = links

    @activity.defn(name="deliver_notification")
    def deliver_notification(self, message: OutboundMessage) -> DeliveryReceipt:
        """Blocking provider SDKs run here, on the worker's thread pool, never on its event loop.

        A failure of our own (rendering, a transport bug) is final at once: see `our_bug`.
        """
        transport = self.transports[message.channel]
        return our_bug(
            lambda: transport.send(self._render(message)),
            log,
            f"{message.channel} {message.notification_id}",
        )

    def _render(self, message: OutboundMessage) -> RenderedMessage:
        """The words, with fresh action links (minted here so no token enters history)."""
        return render(message, self.links.for_message(message) if self.links else None)
