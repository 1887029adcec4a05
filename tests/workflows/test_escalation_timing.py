"""SLA timing in workflow time on the time-skipping server: the example policy, unshortened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from escalation.incident import IncidentState
from escalation.logbook import TimelineEntry
from tests.polling import poll
from tests.workflows.helpers import (
    entries,
    minutes_after_open,
    paged_recipients,
    status,
    wait_for,
)
from workflows.search_attributes import INCIDENT_BREACHED


@pytest.fixture
def alert_fields() -> dict[str, object]:
    """Critical by the matrix; ACME's Gold contract also sets its own, tighter clocks."""
    return {"clients_affected": ["acme", "globex"]}


def severity_breaches(state: IncidentState) -> list[TimelineEntry]:
    """The severity's own breaches; a client's contract names the client in its own."""
    return [e for e in entries(state, "sla_breach") if not e.detail.startswith(("ACME", "Globex"))]


async def test_tier_two_is_paged_exactly_when_tier_one_window_passes(
    time_skipping_env: WorkflowEnvironment, incident: WorkflowHandle
) -> None:
    env = time_skipping_env
    await env.sleep(timedelta(minutes=10) - timedelta(seconds=1))
    state = await status(incident)
    assert [e.tier for e in entries(state, "paged")] == ["Tier 1 frontline"]

    await env.sleep(timedelta(seconds=2))
    state = await wait_for(incident, lambda s: len(entries(s, "paged")) == 2)
    tier_two = entries(state, "paged")[1]
    assert (tier_two.tier, tier_two.recipients) == ("Tier 2 specialists", ["bob"])
    assert minutes_after_open(state, tier_two.at) == 10
    assert state.tier == 2
    state = await wait_for(incident, lambda s: "Bob Okafor" in paged_recipients(s))


async def test_repeat_then_management(
    time_skipping_env: WorkflowEnvironment, incident: WorkflowHandle
) -> None:
    env = time_skipping_env
    await env.sleep(timedelta(hours=1, minutes=31))
    state = await wait_for(incident, lambda s: s.position.exhausted)
    paged = [(minutes_after_open(state, e.at), e.tier) for e in entries(state, "paged")]
    assert paged == [
        (0, "Tier 1 frontline"),
        (10, "Tier 2 specialists"),
        (25, "Tier 3 cross-functional"),
        (45, "Tier 1 frontline"),
        (55, "Tier 2 specialists"),
        (70, "Tier 3 cross-functional"),
    ]
    management = [e for e in entries(state, "escalated") if "every tier was paged" in e.detail]
    assert [minutes_after_open(state, e.at) for e in management] == [90]
    state = await wait_for(
        incident, lambda s: "Erin Walsh (Head of Support)" in paged_recipients(s, "escalation")
    )


async def test_acknowledgment_stops_all_further_paging(
    time_skipping_env: WorkflowEnvironment, incident: WorkflowHandle
) -> None:
    env = time_skipping_env
    await env.sleep(timedelta(minutes=5))
    result = await incident.execute_update("acknowledge", {"by": "alice", "note": "looking"})
    assert result["status"] == "acknowledged"
    await env.sleep(timedelta(hours=3))
    state = await status(incident)
    pages = [n for n in state.notifications if n.purpose == "page"]
    assert {n.recipient for n in pages} == {"Alice Ng"}
    assert len(entries(state, "paged")) == 1
    assert not state.sla.ack_breached
    assert state.acknowledged_by == "alice"
    assert minutes_after_open(state, state.acknowledged_at) == 5


async def test_acknowledgment_after_the_sla_records_the_breach(
    time_skipping_env: WorkflowEnvironment, incident: WorkflowHandle
) -> None:
    env = time_skipping_env
    assert await breached_attribute(incident) is False
    await env.sleep(timedelta(minutes=20))
    state = await wait_for(incident, lambda s: s.sla.ack_breached)
    await poll(lambda: breached_attribute(incident), bool, "IncidentBreached = true")
    breach = severity_breaches(state)[0]
    assert minutes_after_open(state, breach.at) == 15
    assert "acknowledgment SLA breached" in breach.detail
    await incident.execute_update("acknowledge", {"by": "bob"})
    state = await wait_for(
        incident, lambda s: "Erin Walsh (Head of Support)" in paged_recipients(s, "ack_breach")
    )
    assert state.status == "acknowledged"
    assert state.sla.ack_breached
    assert state.breaches == ["client_ack", "ack"]  # ACME's 10m target came first
    assert await breached_attribute(incident) is True  # the list's "breached" query finds it


async def breached_attribute(handle: WorkflowHandle) -> bool | None:
    description = await handle.describe()
    return description.typed_search_attributes.get(INCIDENT_BREACHED)


async def test_resolution_warnings_and_breach_fire_at_their_fractions(
    time_skipping_env: WorkflowEnvironment, incident: WorkflowHandle
) -> None:
    env = time_skipping_env
    await env.sleep(timedelta(minutes=1))
    await incident.execute_update("acknowledge", {"by": "alice"})
    await env.sleep(timedelta(hours=4, minutes=1))
    state = await wait_for(incident, lambda s: s.sla.resolve_breached)
    warnings = [minutes_after_open(state, e.at) for e in entries(state, "sla_warning")]
    assert warnings == [120, 180, 216]
    breaches = [minutes_after_open(state, e.at) for e in severity_breaches(state)]
    assert breaches == [240]
    state = await wait_for(
        incident,
        lambda s: "Erin Walsh (Head of Support)" in paged_recipients(s, "resolve_breach"),
    )
    assert "Erin Walsh (Head of Support)" in paged_recipients(state, "resolve_warning")
    assert "Frank Moreau (VP Customer Success)" in paged_recipients(state, "stakeholder_breach")


async def test_acknowledged_but_unresolved_consults_the_next_tier(
    time_skipping_env: WorkflowEnvironment, incident: WorkflowHandle
) -> None:
    env = time_skipping_env
    await incident.execute_update("acknowledge", {"by": "alice"})
    await env.sleep(timedelta(minutes=31))
    state = await wait_for(incident, lambda s: bool(entries(s, "consulted")))
    consulted = entries(state, "consulted")[0]
    assert consulted.detail.startswith("Tier 2 specialists: bob")
    assert "not resolved within 30m" in consulted.detail
    assert minutes_after_open(state, consulted.at) == 30
    assert state.status == "acknowledged"


async def test_client_updates_follow_the_cadence_and_stop_at_resolution(
    time_skipping_env: WorkflowEnvironment, incident: WorkflowHandle
) -> None:
    env = time_skipping_env
    await env.sleep(timedelta(minutes=95))
    state = await wait_for(incident, lambda s: len(entries(s, "client_update")) == 3)
    assert [minutes_after_open(state, e.at) for e in entries(state, "client_update")] == [
        30,
        60,
        90,
    ]
    await incident.execute_update(
        "resolve",
        {
            "by": "carol",
            "cause": "expired cert",
            "resolution": "rotated",
            "preventive_measures": ["alert on expiry"],
        },
    )
    await env.sleep(timedelta(hours=2))
    state = await status(incident)
    assert len(entries(state, "client_update")) == 3
    resolved_notices = [n for n in state.notifications if n.purpose == "client_resolved"]
    assert {n.to for n in resolved_notices} == {"ops@acme.example", "noc@globex.example"}
