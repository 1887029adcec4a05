"""Emailing the final report: one activity per recipient, recorded in the sender's log."""

from __future__ import annotations

import asyncio
from typing import Literal

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from escalation.actions import Recipient
    from escalation.delivery_timing import DELIVERY_ATTEMPT_TIMEOUT
    from escalation.engine import SYSTEM
    from escalation.incident import IncidentState
    from escalation.logbook import Logbook, NotificationRecord
    from escalation.messages import DeliveryReceipt
    from escalation.policy import Policy
    from escalation.report import ReportDelivery
    from escalation.review import ReviewState
    from workflows.delivery_limits import DELIVERY_DEADLINE, DELIVERY_RETRY


async def send_final_report(
    log: Logbook,
    *,
    policy: Policy,
    incident: IncidentState,
    review: ReviewState | None,
    recipients: list[Recipient],
    audience: Literal["client", "internal"],
) -> None:
    """The report to every recipient with an email address, concurrently; the others are
    recorded as skipped (the report goes by email only)."""
    purpose = _purpose(audience)
    for recipient in recipients:
        if not recipient.contact.email:
            log.skip(
                workflow.now(),
                SYSTEM,
                purpose=purpose,
                recipient=recipient.name,
                channel="email",
                why="no email address, and the final report goes by email only",
            )
    await asyncio.gather(
        *(
            _send(
                log,
                ReportDelivery(
                    notification_id=log.next_notification_id(),
                    recipient=recipient.name,
                    address=recipient.contact.email,
                    incident=incident,
                    policy=policy,
                    review=review,
                    audience=audience,
                    client=recipient.client,
                ),
            )
            for recipient in recipients
            if recipient.contact.email
        )
    )


async def _send(log: Logbook, delivery: ReportDelivery) -> None:
    status, provider_id, error = "failed", None, None
    try:
        receipt = await workflow.execute_activity(
            "deliver_final_report",
            delivery,
            result_type=DeliveryReceipt,
            start_to_close_timeout=DELIVERY_ATTEMPT_TIMEOUT,
            schedule_to_close_timeout=DELIVERY_DEADLINE,
            retry_policy=DELIVERY_RETRY,
            summary=f"final report ({delivery.audience}) to {delivery.recipient}",
        )
        status, provider_id = receipt.status, receipt.provider_id
    except ActivityError as failure:
        error = str(failure.cause or failure)
    log.notifications.append(
        NotificationRecord(
            at=workflow.now(),
            channel="email",
            to=delivery.address,
            purpose=_purpose(delivery.audience),
            status=status,  # type: ignore[arg-type]
            recipient=delivery.recipient,
            notification_id=delivery.notification_id,
            provider_id=provider_id,
            error=error,
        )
    )


def _purpose(audience: Literal["client", "internal"]) -> str:
    return "final_report" if audience == "internal" else "final_report_client"
