"""Aggregates over four scripted incidents, with every figure worked out by hand.

| incident | service  | severity | ack    | resolved | breaches | tier pages > 1 | management | tier reached |
| checkout | payments | critical | 12m    | 4h10m    | resolve  | 2              | 2          | 3            |
| probe    | payments | low      | -      | 8m       | -        | 0              | 0          | 1            |
| replica  | db       | high     | 5m     | 1h       | -        | 1              | 0          | 2            |
| disk     | db       | medium   | 2h30m  | 2h40m    | ack      | 4              | 2          | 3            |
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from escalation.commands import Acknowledge, Resolve
from escalation.incident import IncidentState
from escalation.policy import Policy
from escalation.stats import IncidentStats, incident_stats, normalise_cause, tier_reached
from tests.escalation.report_scenario import act, at, critical_checkout, open_incident


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def probe(policy: Policy) -> IncidentState:
    """Low (ack 8h, resolve 3d): resolved at 8m, unacknowledged, before tier 1's 10m window."""
    state = open_incident(policy, "probe", severity="low")
    act(policy, state, Resolve(by="alice", cause="Flaky probe", resolution="retuned"), at(8))
    return state


def replica(policy: Policy) -> IncidentState:
    """High (ack 30m, resolve 8h): alice acks at 5m; tier 2 is consulted at 35m; fixed at 1h."""
    state = open_incident(
        policy, "replica", service="db", title="replica lag", category="outage", users_affected=5
    )
    act(policy, state, Acknowledge(by="alice"), at(5))
    cause = "  expired TLS certificate on the payment   gateway. "
    act(policy, state, Resolve(by="bob", cause=cause, resolution="rotated"), at(60))
    return state


def disk(policy: Policy) -> IncidentState:
    """Medium (ack 2h, resolve 1d): nobody answers through both rounds of tiers; management at
    1h30m and again at the ack breach (2h); carol acks at 2h30m and resolves at 2h40m."""
    state = open_incident(policy, "disk", service="db", title="disk full")
    act(policy, state, Acknowledge(by="carol"), at(150))
    act(
        policy, state, Resolve(by="carol", cause="Disk full", resolution="grew the volume"), at(160)
    )
    return state


@pytest.fixture
def incidents(example_policy: Policy) -> list[IncidentState]:
    return [
        critical_checkout(example_policy),
        probe(example_policy),
        replica(example_policy),
        disk(example_policy),
    ]


@pytest.fixture
def stats(incidents: list[IncidentState], example_policy: Policy) -> IncidentStats:
    return incident_stats(incidents, example_policy, top=2)


def test_the_scenario_is_what_the_table_says(incidents: list[IncidentState]) -> None:
    assert [i.severity for i in incidents] == ["critical", "low", "high", "medium"]
    assert [i.status for i in incidents] == ["resolved", "closed", "resolved", "closed"]
    assert [i.breaches for i in incidents] == [["resolve"], [], [], ["ack"]]


def test_mtta_and_mttr_overall(stats: IncidentStats) -> None:
    overall = stats.overall
    assert (overall.incidents, overall.acknowledged, overall.resolved) == (4, 3, 4)
    assert overall.mtta_mean == minutes((12 + 5 + 150) / 3)
    assert overall.mtta_median == minutes(12)
    assert overall.mttr_mean == minutes((250 + 8 + 60 + 160) / 4)
    assert overall.mttr_median == minutes((60 + 160) / 2)


def test_breach_rates_and_escalations_overall(stats: IncidentStats) -> None:
    overall = stats.overall
    assert (overall.ack_breaches, overall.ack_breach_rate) == (1, 0.25)
    assert (overall.resolve_breaches, overall.resolve_breach_rate) == (1, 0.25)
    assert overall.escalated_beyond_tier_1 == 3
    assert overall.tier_pages_beyond_tier_1 == 2 + 0 + 1 + 4
    assert overall.management_escalations == 4
    assert overall.escalated_to_management == 2


def test_by_service(stats: IncidentStats) -> None:
    assert list(stats.by_service) == ["db", "payments"]
    payments, db = stats.by_service["payments"], stats.by_service["db"]
    assert (payments.incidents, payments.mtta_mean, payments.mttr_mean) == (
        2,
        minutes(12),
        minutes(129),
    )
    assert payments.resolve_breach_rate == 0.5
    assert (db.mtta_mean, db.mtta_median, db.mttr_median) == (
        minutes(77.5),
        minutes(77.5),
        minutes(110),
    )
    assert (db.ack_breach_rate, db.resolve_breach_rate) == (0.5, 0.0)


def test_by_severity_in_policy_order(stats: IncidentStats) -> None:
    assert list(stats.by_severity) == ["critical", "high", "medium", "low"]
    assert stats.by_severity["critical"].mttr_mean == minutes(250)
    assert stats.by_severity["low"].acknowledged == 0
    assert stats.by_severity["low"].mtta_mean is None
    assert stats.by_severity["medium"].management_escalations == 2


def test_by_tier_reached(stats: IncidentStats, incidents: list[IncidentState]) -> None:
    assert list(stats.by_tier_reached) == [1, 2, 3]
    assert [g.incidents for g in stats.by_tier_reached.values()] == [1, 1, 2]
    assert stats.by_tier_reached[3].mttr_mean == minutes((250 + 160) / 2)
    assert [tier_reached(i) for i in incidents] == [3, 1, 2, 3]


def test_top_causes_are_normalised(stats: IncidentStats) -> None:
    assert [(c.cause, c.count, c.incidents) for c in stats.top_causes] == [
        (
            "expired tls certificate on the payment gateway",
            2,
            ["incident-checkout", "incident-replica"],
        ),
        ("flaky probe", 1, ["incident-probe"]),
    ]
    assert normalise_cause(" Disk  FULL!\n") == "disk full"


def test_nothing_to_aggregate() -> None:
    stats = incident_stats([])
    assert stats.overall.incidents == 0
    assert stats.overall.mtta_mean is None
    assert stats.overall.ack_breach_rate == 0.0
    assert stats.by_service == {}
    assert stats.top_causes == []


def test_json_round_trip(stats: IncidentStats) -> None:
    assert IncidentStats.model_validate_json(stats.model_dump_json()) == stats
