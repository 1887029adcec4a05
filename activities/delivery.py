"""The delivery activity: render a message and hand it to its channel's transport."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from temporalio import activity

from activities.action_links import ActionLinks
from activities.message_rendering import can_reply, render
from activities.provider_errors import our_bug
from activities.sms_reply_codes import ReplyCodes
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
        self,
        transports: Mapping[Channel, Transport],
        links: ActionLinks | None = None,
        reply_codes: ReplyCodes | None = None,
    ) -> None:
        self.transports = transports
        self.links = links
        self.reply_codes = reply_codes

    @activity.defn(name="deliver_notification")
    def deliver_notification(self, message: OutboundMessage) -> DeliveryReceipt:
        """Blocking provider SDKs run here, on the worker's thread pool, never on its event loop.

        A failure of our own (rendering, a transport bug) is final at once: see `our_bug`.
        """
        transport = self.transports[message.channel]
        reply_code = self._reply_code(message)
        receipt = our_bug(
            lambda: transport.send(self._render(message, reply_code)),
            log,
            f"{message.channel} {message.notification_id}",
        )
        return receipt.model_copy(update={"reply_code": reply_code}) if reply_code else receipt

    def _render(self, message: OutboundMessage, reply_code: int | None) -> RenderedMessage:
        """The words, with fresh action links (minted here so no token enters history)."""
        links = self.links.for_message(message) if self.links else None
        return render(message, links, reply_code)

    def _reply_code(self, message: OutboundMessage) -> int | None:
        """An SMS page to a responder gets its number's reply code for the incident (the same
        one on a retry: allocation is per number and incident)."""
        if self.reply_codes is None or message.channel != "sms" or message.bundled:
            return None
        if not can_reply(message):
            return None
        return self.reply_codes.reserve(
            message.address, message.facts.incident_id, activity.info().task_queue
        )
