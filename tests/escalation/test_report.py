"""The final report from a scripted incident: every fact, with exact durations, for both audiences.

Scenario (example policy, critical: ack 15m, resolve 4h): opened 09:00; tier 1 does not answer,
tier 2 is paged at +10m and bob acknowledges at +12m; tier 3 is consulted at +1h12m, management
at +1h32m (tiers exhausted) and again at +4h (resolution breach); carol resolves at +4h10m.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from activities.report_rendering import render_report
from escalation.commands import Resolve
from escalation.policy import Policy
from escalation.report import FinalReport
from escalation.report_building import build_report
from escalation.time_text import human_duration
from tests.escalation.report_scenario import (
    ACK_NOTE,
    INTERNAL_NOTE,
    SCRIPT_TITLE,
    act,
    at,
    checkout_review,
    critical_checkout,
    open_incident,
    run_until,
)


@pytest.fixture
def internal(example_policy: Policy) -> FinalReport:
    state = critical_checkout(example_policy)
    return build_report(state, example_policy, checkout_review(state), audience="internal")


@pytest.fixture
def client(example_policy: Policy) -> FinalReport:
    state = critical_checkout(example_policy)
    return build_report(state, example_policy, checkout_review(state), audience="client")


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0m"),
        (0.5, "30s"),
        (12, "12m"),
        (65, "1h 5m"),
        (250, "4h 10m"),
        (24 * 60 + 61, "1d 1h 1m"),
    ],
)
def test_durations_read_like_people_write_them(minutes: float, text: str) -> None:
    assert human_duration(timedelta(minutes=minutes)) == text


def test_identity_and_classification(internal: FinalReport) -> None:
    assert internal.incident_id == "incident-checkout"
    assert internal.title == SCRIPT_TITLE
    assert internal.service == "payments"
    assert internal.severity == "critical"
    assert internal.classification_rule == "category=data_breach -> critical"
    assert internal.status == "resolved"
    assert internal.users_affected == 1200
    assert internal.clients_affected == ["acme"]


def test_who_acknowledged_and_resolved_and_when(internal: FinalReport) -> None:
    assert internal.opened_at == at(0)
    assert (internal.acknowledged_by, internal.acknowledged_at) == ("bob", at(12))
    assert (internal.resolved_by, internal.resolved_at) == ("carol", at(hours=4, minutes=10))
    assert internal.closed_at is None
    assert internal.reopened == 0


def test_ack_within_sla_is_met_and_late_resolution_is_breached(internal: FinalReport) -> None:
    ack, resolve = internal.acknowledge_sla, internal.resolve_sla
    assert (ack.target, ack.took, ack.verdict) == (
        timedelta(minutes=15),
        timedelta(minutes=12),
        "met",
    )
    assert (resolve.target, resolve.took, resolve.verdict) == (
        timedelta(hours=4),
        timedelta(hours=4, minutes=10),
        "breached",
    )
    assert [(b.clock, b.after) for b in internal.breaches] == [("resolve", timedelta(hours=4))]


def test_tiers_paged_and_management_escalations(internal: FinalReport) -> None:
    assert [(e.after, e.kind, e.tier, e.contacts) for e in internal.engagements] == [
        (timedelta(0), "paged", "Tier 1 frontline", ["alice"]),
        (timedelta(minutes=10), "paged", "Tier 2 specialists", ["bob"]),
        (timedelta(hours=1, minutes=12), "consulted", "Tier 3 cross-functional", ["carol", "dave"]),
        (timedelta(hours=1, minutes=32), "escalated", "management", ["erin"]),
        (timedelta(hours=4), "escalated", "management", ["erin"]),
    ]
    assert internal.engagements[1].reason == "Tier 1 frontline did not acknowledge within 10m"


def test_cause_resolution_and_preventive_measures(internal: FinalReport) -> None:
    assert internal.cause == "Expired TLS certificate on the payment gateway"
    assert internal.resolution == "Rotated the certificate"
    assert internal.preventive_measures == ["Alert 14 days before expiry", "Automate rotation"]


def test_client_updates_count_and_times(internal: FinalReport) -> None:
    """Opening, ack, cadence (30m from the last update), bob's update at 50m, resolution."""
    minutes = [0, 12, 42, 50, 80, 110, 140, 170, 200, 230, 250]
    assert internal.client_updates_sent == 11
    assert [m.at for m in internal.client_messages] == [at(m) for m in minutes]
    assert internal.client_messages[0].purpose == "client_opened"
    assert internal.client_messages[-1].purpose == "client_resolved"
    assert {(m.recipient, m.to) for m in internal.client_messages} == {
        ("ACME Corp", "ops@acme.example")
    }


def test_the_review_with_action_items_feedback_and_summary(internal: FinalReport) -> None:
    review = internal.review
    assert review is not None
    assert (review.owner, review.status, review.completed_by) == ("bob", "completed", "bob")
    assert [(i.id, i.owner, i.status) for i in review.action_items] == [
        ("A1", "dave", "done"),
        ("A2", "carol", "open"),
    ]
    assert [(f.by, f.text) for f in review.feedback] == [
        ("Dana Reyes (ACME)", "Updates were timely")
    ]
    assert review.summary is not None and "rotation automation" in review.summary


def test_internal_version_keeps_notes_and_rejections(internal: FinalReport) -> None:
    kinds = {entry.kind for entry in internal.timeline}
    assert {"note", "rejected", "escalated", "sla_warning"} <= kinds
    markdown = render_report(internal).markdown
    assert INTERNAL_NOTE in markdown
    assert ACK_NOTE in markdown
    assert "mallory" in markdown
    assert "ops@acme.example" in markdown


def test_client_version_leaves_out_internal_matters(client: FinalReport) -> None:
    kinds = {entry.kind for entry in client.timeline}
    assert kinds.isdisjoint({"note", "rejected", "escalated", "sla_warning", "review_pending"})
    assert all(
        e.kind != "escalated" and not e.contacts and not e.reason for e in client.engagements
    )
    assert all(m.to == "" and m.recipient == "" for m in client.client_messages)
    assert client.clients_affected == []
    rendered = render_report(client)
    for text in (rendered.markdown, rendered.html):
        assert INTERNAL_NOTE not in text
        assert "mallory" not in text
        assert "ops@acme.example" not in text
        assert "erin" not in text
        assert ACK_NOTE not in text
    assert rendered.subject == f"Incident report: {SCRIPT_TITLE}"


def test_client_version_keeps_the_same_numbers(internal: FinalReport, client: FinalReport) -> None:
    assert client.acknowledge_sla == internal.acknowledge_sla
    assert client.resolve_sla == internal.resolve_sla
    assert client.breaches == internal.breaches
    assert client.client_updates_sent == internal.client_updates_sent
    assert client.review == internal.review


def test_markdown_states_the_facts(internal: FinalReport) -> None:
    markdown = render_report(internal).markdown
    assert "| acknowledge | 15m | 12m | met |" in markdown
    assert "| resolve | 4h | 4h 10m | breached |" in markdown
    assert (
        "+1h 12m (2026-03-02 10:12 UTC): Tier 3 cross-functional consulted (carol, dave)"
        in markdown
    )
    assert "11 messages sent to affected clients." in markdown
    assert "- [x] A1: Alert 14 days before certificate expiry" in markdown
    assert "- [ ] A2: Automate certificate rotation (owner carol)" in markdown
    assert render_report(internal).subject == (
        f"Final report: [critical] payments: {SCRIPT_TITLE} (incident-checkout)"
    )


def test_html_escapes_what_operators_typed(internal: FinalReport) -> None:
    html = render_report(internal).html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.startswith("<!DOCTYPE html>")


def test_markdown_tables_survive_pipes_and_line_breaks(example_policy: Policy) -> None:
    state = open_incident(example_policy, "pipes", title="a | b", severity="low")
    state.record(at(5), "note", "alice", "line one\nline | two")
    markdown = render_report(build_report(state, example_policy, audience="internal")).markdown
    assert "| note | alice | line one line \\| two |" in markdown


def test_an_open_incident_has_pending_clocks(example_policy: Policy) -> None:
    state = open_incident(example_policy, "open", severity="low")
    report = build_report(state, example_policy, audience="internal")
    assert (report.acknowledge_sla.verdict, report.resolve_sla.verdict) == ("pending", "pending")
    assert report.cause is None and report.review is None
    assert "Not resolved yet." in render_report(report).markdown


def test_resolved_without_ack_meets_the_ack_sla_when_in_time(example_policy: Policy) -> None:
    """Low: ack 8h, resolve 3d, no review, so resolution closes the incident."""
    state = open_incident(example_policy, "quick", severity="low")
    act(
        example_policy,
        state,
        Resolve(by="alice", cause="flaky probe", resolution="retuned"),
        at(40),
    )
    report = build_report(state, example_policy, audience="internal")
    assert report.status == "closed"
    assert report.closed_at == at(40)
    assert report.acknowledge_sla.took is None
    assert report.acknowledge_sla.verdict == "met"
    assert (report.resolve_sla.took, report.resolve_sla.verdict) == (timedelta(minutes=40), "met")
    assert report.client_messages == []
    assert "No client updates were sent." in render_report(report).markdown


def test_late_ack_is_breached(example_policy: Policy) -> None:
    state = open_incident(example_policy, "late", category="data_breach")
    run_until(example_policy, state, at(20))
    report = build_report(state, example_policy, audience="internal")
    assert report.acknowledge_sla.verdict == "breached"
    assert report.acknowledge_sla.took is None
    assert [(b.clock, b.after) for b in report.breaches] == [("acknowledge", timedelta(minutes=15))]
