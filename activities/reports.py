"""The final-report activity: build the report from the incident's record and email it."""

from __future__ import annotations

import logging

from temporalio import activity

from activities.delivery import Transport
from activities.provider_errors import our_bug
from activities.report_rendering import render_report
from escalation.brands import Sender, sender_of
from escalation.messages import DeliveryReceipt, RenderedMessage
from escalation.report import ReportDelivery
from escalation.report_building import build_report

log = logging.getLogger(__name__)


class ReportActivities:
    """Constructed with the email transport (SendGrid or the outbox); registered as bound methods."""

    def __init__(self, email: Transport) -> None:
        self.email = email

    @activity.defn(name="deliver_final_report")
    def deliver_final_report(self, delivery: ReportDelivery) -> DeliveryReceipt:
        """A plain `def`: the SendGrid SDK blocks, so this runs on the worker's thread pool.

        Rendering is pure and repeatable, so a retry sends the same words under the same
        notification id (the outbox writes it once; SendGrid has no idempotency key). A failure
        of our own (building or rendering the report) is final at once: see `our_bug`.
        """
        return our_bug(
            lambda: self._send(delivery), log, f"final report {delivery.notification_id}"
        )

    def _send(self, delivery: ReportDelivery) -> DeliveryReceipt:
        report = build_report(
            delivery.incident,
            delivery.policy,
            delivery.review,
            audience=delivery.audience,
            client=delivery.client,
        )
        rendered = render_report(report)
        return self.email.send(
            RenderedMessage(
                notification_id=delivery.notification_id,
                channel="email",
                to=delivery.address,
                subject=rendered.subject,
                text=rendered.markdown,
                html=rendered.html,
                incident_id=delivery.incident.incident_id,
                sender=report_sender(delivery),
            )
        )


def report_sender(delivery: ReportDelivery) -> Sender | None:
    """A client's own report goes out under the client's brand, like its notices; the internal
    report and the stakeholders' copies keep the house sender."""
    if delivery.audience != "client" or delivery.client is None:
        return None
    brands = [c.brand for c in delivery.policy.clients.values() if c.name == delivery.client]
    return sender_of(brands[0]) if brands else None
