"""Analytics on a generated history, against figures computed here from the generator's inputs."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import timedelta

import pytest

from escalation.analytics import Analytics, analytics
from escalation.policy import Policy
from escalation.policy_loader import load_policy
from escalation.stats import incident_stats
from tests.conftest import EXAMPLE_POLICY
from tests.escalation.analytics_history import COUNT, NOW, UNACKED_FOR, Generated, generate


@pytest.fixture(scope="module")
def history(example_policy_module: Policy) -> tuple[list[Generated], Analytics]:
    made, reviews = generate(example_policy_module)
    incidents = [g.state for g in made]
    return made, analytics(incidents, reviews, now=NOW, policy=example_policy_module)


@pytest.fixture(scope="module")
def example_policy_module() -> Policy:
    """The example policy, once for the module: the history is generated once too."""
    return load_policy(EXAMPLE_POLICY)


def test_mtta_and_mttr_by_week(history: tuple[list[Generated], Analytics]) -> None:
    made, figures = history
    weeks: dict[object, list[Generated]] = {}
    for g in made:
        day = g.state.opened_at.date()
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(g)
    assert [w.week for w in figures.weekly] == sorted(weeks)
    for week in figures.weekly:
        acks = sorted(g.ack_after for g in weeks[week.week] if g.ack_after is not None)
        fixes = sorted(g.resolve_after for g in weeks[week.week] if g.resolve_after is not None)
        assert week.incidents == len(weeks[week.week])
        assert week.mtta.median == timedelta(
            seconds=statistics.median(a.total_seconds() for a in acks)
        )
        assert week.mtta.p90 == acks[math.ceil(len(acks) * 0.9) - 1]
        assert week.mttr.p90 == fixes[math.ceil(len(fixes) * 0.9) - 1]
    acked = [g.ack_after for g in made if g.ack_after is not None]
    assert figures.overall.incidents == COUNT
    assert figures.overall.mtta_mean == sum(acked, timedelta()) / len(acked)


def test_breaches_and_compliance(
    history: tuple[list[Generated], Analytics], example_policy_module: Policy
) -> None:
    made, figures = history

    def breached(g: Generated) -> tuple[bool, bool]:
        rules = example_policy_module.severity(g.state.severity)
        took_ack = g.ack_after if g.ack_after is not None else UNACKED_FOR
        took_fix = g.resolve_after if g.resolve_after is not None else UNACKED_FOR
        return took_ack > rules.ack_within, took_fix > rules.resolve_within

    verdicts = {g.state.incident_id: breached(g) for g in made}
    assert figures.breaches == {
        "acknowledge": sum(a for a, _ in verdicts.values()),
        "resolve": sum(r for _, r in verdicts.values()),
    }
    assert sum(p.count for p in figures.breach_places if p.clock == "acknowledge") == sum(
        a for a, _ in verdicts.values()
    )
    for severity, group in figures.compliance_by_severity.items():
        members = [g for g in made if g.state.severity == severity]
        met = sum(1 for g in members if not verdicts[g.state.incident_id][0])
        assert group.incidents == len(members)
        assert group.ack_compliance == pytest.approx(met / len(members))
    acme = [g for g in made if "acme" in g.state.clients_affected]
    assert figures.compliance_by_client["acme"].incidents == len(acme) == COUNT // 5
    met = sum(1 for g in acme if not verdicts[g.state.incident_id][1])
    assert figures.compliance_by_client["acme"].resolve_compliance == pytest.approx(met / len(acme))


def test_causes_items_feedback_and_agreement_with_stats(
    history: tuple[list[Generated], Analytics], example_policy_module: Policy
) -> None:
    made, figures = history
    causes = Counter(" ".join(g.cause.split()).strip(".").lower() for g in made if g.cause)
    expected = sorted((c for c in causes.items() if c[1] > 1), key=lambda c: -c[1])
    assert [(c.cause, c.count) for c in figures.recurring_causes] == expected
    reviewed = [n for n in range(COUNT) if n % 10 == 0 and n % 7 != 3]
    assert figures.action_items.done == len(reviewed)
    assert figures.action_items.overdue == sum(1 for n in reviewed if n % 20 == 0)
    assert figures.action_items.open == sum(1 for n in reviewed if n % 20 != 0)
    assert len(figures.feedback) == len(reviewed)
    by_service = Counter(g.state.service for g in made)
    assert [(r.name, r.incidents) for r in figures.top_services] == by_service.most_common()
    stats = incident_stats([g.state for g in made], example_policy_module)
    assert figures.overall == stats.overall  # the same incidents give `escalation stats`' figures
    assert figures.depth["management"] == stats.overall.escalated_to_management
