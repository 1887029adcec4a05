"""Operator verbs as signals (tolerant, recorded) and updates (validated, answered)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from escalation.alerts import Alert
from escalation.commands import EXAMPLES
from tests.workflows.helpers import (
    entries,
    incident_started,
    paged_recipients,
    status,
    ui_signals,
    wait_for,
    workflow_task_failures,
)

VERBS = sorted(EXAMPLES)
MALFORMED: list[Any] = [
    None,
    "",
    "ack",
    42,
    [],
    ["by", "alice"],
    {},
    {"by": ""},
    {"by": 7},
    {"nonsense": True},
]


async def update_refusal(handle, verb: str, payload: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(verb, payload)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.failure is not None and cause.failure.stack_trace == ""  # the UI shows the reason
    return cause.message


@pytest.mark.parametrize("verb", VERBS)
async def test_malformed_signals_are_recorded_as_rejected_and_never_wedge(
    incident: WorkflowHandle, verb: str
) -> None:
    for payload in MALFORMED:
        await incident.signal(verb, payload)
    await incident.signal(verb)
    state = await wait_for(incident, lambda s: len(entries(s, "rejected")) == len(MALFORMED) + 1)
    assert all(entry.detail.startswith(f"{verb}: ") for entry in entries(state, "rejected"))
    assert await workflow_task_failures(incident) == []
    await incident.execute_update("acknowledge", {"by": "alice"})
    assert (await status(incident)).status == "acknowledged"


@pytest.mark.parametrize("verb", VERBS)
async def test_malformed_updates_are_refused_with_a_reason_and_leave_no_trace(
    incident: WorkflowHandle, verb: str
) -> None:
    before = await status(incident)
    for payload in MALFORMED:
        reason = await update_refusal(incident, verb, payload)
        assert reason.startswith(f"{verb}: ")
    after = await status(incident)
    assert after.timeline == before.timeline
    assert await workflow_task_failures(incident) == []


async def test_refusals_name_the_reason(incident: WorkflowHandle) -> None:
    await incident.execute_update("acknowledge", {"by": "alice"})
    assert (
        await update_refusal(incident, "acknowledge", {"by": "bob"})
        == "acknowledge: already acknowledged by alice"
    )
    assert "unknown severity 'urgent'" in await update_refusal(
        incident, "change_severity", {"by": "bob", "severity": "urgent"}
    )
    assert "there is no tier 7" in await update_refusal(
        incident, "escalate", {"by": "bob", "reason": "x", "to_tier": 7}
    )
    assert "only a resolved incident can be reopened" in await update_refusal(
        incident, "reopen", {"by": "bob", "reason": "x"}
    )
    await incident.signal("acknowledge", {"by": "carol"})
    state = await wait_for(incident, lambda s: bool(entries(s, "rejected")))
    rejected = entries(state, "rejected")[0]
    assert (rejected.actor, rejected.detail) == (
        "carol",
        "acknowledge: already acknowledged by alice",
    )


async def test_manual_escalation_to_a_tier_and_to_management(
    time_skipping_env: WorkflowEnvironment, incident: WorkflowHandle
) -> None:
    env = time_skipping_env
    result = await incident.execute_update(
        "escalate", {"by": "alice", "reason": "needs DBA", "to_tier": 3}
    )
    assert result["tier"] == 3
    await incident.signal(
        "escalate", {"by": "alice", "reason": "ownership unclear", "to_tier": "management"}
    )
    state = await wait_for(incident, lambda s: s.position.management_engaged)
    last = entries(state, "paged")[-1]
    assert (last.tier, last.recipients) == ("Tier 3 cross-functional", ["carol", "dave"])
    state = await wait_for(
        incident,
        lambda s: (
            {"Carol Diaz", "Dave Kim"} <= set(paged_recipients(s))
            and "Erin Walsh (Head of Support)" in paged_recipients(s, "escalation")
        ),
    )
    assert "escalated by alice: ownership unclear" in entries(state, "escalated")[-1].detail
    await env.sleep(timedelta(minutes=20, seconds=1))
    state = await wait_for(incident, lambda s: len(entries(s, "paged")) == 3)
    assert entries(state, "paged")[-1].tier == "Tier 1 frontline"


async def test_resolve_then_reopen_pages_tier_one_again(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    env = time_skipping_env
    async with incident_started(env, make_worker, clients_affected=["acme", "globex"]) as handle:
        await handle.execute_update("acknowledge", {"by": "alice"})
        await handle.execute_update(
            "resolve", {"by": "alice", "cause": "bad deploy", "resolution": "rolled back"}
        )
        assert (await status(handle)).status == "resolved"
        result = await handle.execute_update("reopen", {"by": "bob", "reason": "errors are back"})
        assert result["status"] == "triggered"
        state = await status(handle)
        assert (state.acknowledged_by, state.resolution, state.tier) == (None, None, 1)
        assert entries(state, "paged")[-1].detail.endswith("(reopened by bob: errors are back)")
        await env.sleep(timedelta(minutes=10, seconds=1))
        state = await wait_for(handle, lambda s: s.tier == 2)


async def test_resolving_a_low_incident_closes_it_and_completes_the_workflow(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    env = time_skipping_env
    async with incident_started(env, make_worker, severity="low") as handle:
        await handle.execute_update(
            "resolve", {"by": "alice", "cause": "noise", "resolution": "tuned alert"}
        )
        result = await handle.result()
        assert result.status == "closed"
        assert [e.kind for e in (await status(handle)).timeline][-2:] == ["resolved", "closed"]


async def test_new_alert_signal_joins_the_incident_and_ignores_redelivery(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    env = time_skipping_env
    async with incident_started(env, make_worker, users_affected=5) as handle:
        repeat = Alert(
            title="still failing",
            service="payments",
            alert_id="a-2",
            clients_affected=["acme", "globex"],
        )
        await handle.signal("new_alert", repeat.model_dump(mode="json"))
        await handle.signal("new_alert", repeat.model_dump(mode="json"))
        state = await wait_for(
            handle, lambda s: s.alerts_received == 2 and s.severity == "critical"
        )
        changed = entries(state, "severity_changed")[0]
        assert changed.detail.startswith(
            "medium -> critical: new alert: clients_affected_at_least=2"
        )
        await handle.signal("add_note", {"by": "alice", "text": "marker"})
        state = await wait_for(handle, lambda s: bool(entries(s, "note")))
        assert state.alerts_received == 2


async def test_the_ui_lists_every_verb_as_signal_and_update_with_an_example(
    incident: WorkflowHandle,
) -> None:
    """The Temporal UI fills its Send a Signal / Send an Update dropdowns from this query."""
    metadata = await incident.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    signals = await ui_signals(incident)
    updates = {d.name: d.description for d in metadata.definition.update_definitions}
    for verb in VERBS:
        assert f"Example: {EXAMPLES[verb]}" in signals[verb]
        assert updates[verb] == signals[verb]
    assert "status" in {d.name for d in metadata.definition.query_definitions}
    assert "throttle_answer" in signals
    assert [name for name, description in signals.items() if not description] == []
