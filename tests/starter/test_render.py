"""The human views: what an operator reads in `escalation status` and `list`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.console import Console

from escalation.alerts import Alert
from escalation.contacts import Channel
from escalation.engine import next_deadline, open_incident
from escalation.incident import IncidentState
from escalation.logbook import NotificationRecord
from escalation.policy import Policy
from escalation.time_text import relative
from starter import render
from starter.listing import IncidentListing
from workflows.presentation import current_details

OPENED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def critical_incident(policy: Policy) -> IncidentState:
    alert = Alert(title="checkout failing", service="payments", clients_affected=["acme", "globex"])
    state, _ = open_incident(
        policy, incident_id="incident-demo", key="demo", alert=alert, now=OPENED
    )
    channel: Channel = "sms"
    state.notifications.append(
        NotificationRecord(
            at=OPENED,
            channel=channel,
            to="+15555550101",
            purpose="page",
            status="outbox",
            recipient="Alice Ng",
        )
    )
    return state


def rendered(draw) -> str:
    console = Console(width=160, record=True, color_system=None)
    draw(console)
    return console.export_text()


def test_status_shows_header_clocks_timeline_and_notifications(example_policy: Policy) -> None:
    state = critical_incident(example_policy)
    text = rendered(lambda c: render.status(c, state, now=OPENED + timedelta(minutes=5)))
    assert "incident-demo: checkout failing" in text
    assert "TRIGGERED · severity critical · service payments · tier 1" in text
    assert "2026-11-22 09:15:00 UTC" in text and "in 10m" in text
    assert "2026-11-22 13:00:00 UTC" in text and "in 3h 55m" in text
    assert "Tier 1 frontline: alice" in text
    assert "Alice Ng <+15555550101>" in text


def test_a_provider_receipt_shows_beside_the_status(example_policy: Policy) -> None:
    state = critical_incident(example_policy)
    state.notifications[0].delivery = "undelivered"
    state.notifications[0].delivery_error = "30003: unreachable handset"
    text = rendered(lambda c: render.status(c, state, now=OPENED))
    assert "outbox, then undelivered: 30003: unreachable handset" in text


def test_a_breached_clock_says_so(example_policy: Policy) -> None:
    state = critical_incident(example_policy)
    state.sla.ack_breached = True
    late = OPENED + timedelta(minutes=20)
    text = rendered(lambda c: render.status(c, state, now=late))
    ack_row = next(line for line in text.splitlines() if "acknowledge" in line)
    assert "BREACHED" in ack_row
    assert "5m ago" in ack_row


def test_relative_times() -> None:
    assert relative(timedelta(seconds=42)) == "in 42s"
    assert relative(timedelta(hours=-2, minutes=-5)) == "2h 5m ago"
    assert relative(timedelta(days=1, hours=3)) == "in 1d 3h"


def test_list_strips_the_severity_shown_at_opening() -> None:
    listing = IncidentListing(
        workflow_id="incident-demo",
        key="demo",
        summary="[critical] payments: checkout failing",
        status="acknowledged",
        severity="high",
        service="payments",
        tier=2,
        started_at=OPENED,
        closed_at=None,
        execution_status="RUNNING",
    )
    text = rendered(lambda c: render.incident_list(c, [listing]))
    assert "payments: checkout failing" in text
    assert "[critical]" not in text
    assert "high" in text


def test_status_and_ui_details_count_rejected_signals_past_their_lines(
    example_policy: Policy,
) -> None:
    """Past a hundred, rejections are sampled on the timeline; both views say how many in all."""
    state = critical_incident(example_policy)
    for n in range(150):
        state.record_rejection(OPENED, "mallory", f"add_note: text #{n}", sampled=True)
    text = rendered(lambda c: render.status(c, state, now=OPENED))
    assert "Signals rejected: 150 (100 with a line above)" in text
    details = current_details(example_policy, state, next_deadline(example_policy, state))
    assert "- Signals rejected: 150" in details
