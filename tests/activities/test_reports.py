"""The final-report activity: built from the record, rendered, and handed to the email transport."""

from __future__ import annotations

import pytest
from temporalio.testing import ActivityEnvironment

from activities.outbox import Outbox
from activities.outbox_transport import OutboxTransport
from activities.report_rendering import render_report
from activities.reports import ReportActivities
from escalation.policy import Policy
from escalation.report import ReportAudience, ReportDelivery
from escalation.report_building import build_report
from tests.escalation.report_scenario import (
    INTERNAL_NOTE,
    checkout_review,
    critical_checkout,
)


def delivery(policy: Policy, audience: ReportAudience) -> ReportDelivery:
    incident = critical_checkout(policy)
    return ReportDelivery(
        notification_id=f"{incident.incident_id}/report-{audience}",
        recipient="ACME Corp",
        address="ops@acme.example",
        incident=incident,
        policy=policy,
        review=checkout_review(incident),
        audience=audience,
    )


@pytest.mark.parametrize("audience", ["internal", "client"])
def test_the_report_lands_in_the_outbox(
    outbox: Outbox, example_policy: Policy, audience: ReportAudience
) -> None:
    request = delivery(example_policy, audience)
    expected = render_report(
        build_report(request.incident, request.policy, request.review, audience=audience)
    )
    reports = ReportActivities(OutboxTransport(outbox))

    receipt = ActivityEnvironment().run(reports.deliver_final_report, request)

    assert (receipt.status, receipt.provider_id) == ("outbox", request.notification_id)
    (line,) = outbox.read()
    assert line["channel"] == "email"
    assert line["to"] == "ops@acme.example"
    assert line["subject"] == expected.subject
    assert line["text"] == expected.markdown
    assert line["html"] == expected.html
    assert line["incident_id"] == "incident-checkout"
    assert "| resolve | 4h | 4h 10m | breached |" in str(line["text"])
    assert (INTERNAL_NOTE in str(line["text"])) is (audience == "internal")


def test_a_retried_report_is_written_once(outbox: Outbox, example_policy: Policy) -> None:
    request = delivery(example_policy, "internal")
    reports = ReportActivities(OutboxTransport(outbox))
    for _ in range(2):
        ActivityEnvironment().run(reports.deliver_final_report, request)
    assert len(outbox.read()) == 1


def test_the_delivery_round_trips_as_json(example_policy: Policy) -> None:
    """What the workflow sends is what the activity reads (the pydantic data converter)."""
    request = delivery(example_policy, "client")
    assert ReportDelivery.model_validate_json(request.model_dump_json()) == request
