"""A breach under a former severity stays on record; the flag and the SLA clock follow the new one.

A critical incident breaches its 15-minute acknowledgment SLA; an operator lowers it to medium
(2 hours). `IncidentBreached` drops (no SLA that applies now is breached), the clock watches the
medium due time, and when that passes too a second breach is recorded under medium.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from escalation.policy import Policy
from escalation.report_building import build_report
from tests.polling import poll
from tests.workflows.helpers import (
    entries,
    incident_started,
    minutes_after_open,
    wait_for,
)
from tests.workflows.test_escalation_timing import breached_attribute


async def test_lowering_the_severity_after_a_breach_keeps_the_record_and_rearms_the_clock(
    time_skipping_env: WorkflowEnvironment, make_worker, example_policy: Policy
) -> None:
    env = time_skipping_env
    # Critical by its own severity and with no client: ACME's contract would add its own
    # breach and keep IncidentBreached set.
    async with incident_started(env, make_worker, severity="critical") as handle:
        await env.sleep(timedelta(minutes=20))
        await wait_for(handle, lambda s: s.sla.ack_breached)
        await poll(lambda: breached_attribute(handle), bool, "IncidentBreached = true")

        change = {"by": "carol", "severity": "medium", "reason": "one region only"}
        await handle.execute_update("change_severity", change)
        state = await wait_for(handle, lambda s: not s.sla.ack_breached)
        [reset] = entries(state, "sla_reset")
        assert reset.detail.startswith("the critical SLA breach stays on record; medium SLA not")
        assert state.breaches == ["ack"]
        await poll(lambda: breached_attribute(handle), lambda b: b is False, "IncidentBreached")

        await env.sleep(timedelta(hours=1, minutes=45))
        state = await wait_for(handle, lambda s: len(entries(s, "sla_breach")) == 2)
        assert [minutes_after_open(state, e.at) for e in entries(state, "sla_breach")] == [15, 120]
        assert state.sla.ack_breached
        await poll(lambda: breached_attribute(handle), bool, "IncidentBreached = true again")

    report = build_report(state, example_policy, audience="internal")
    assert [(b.severity, round(b.after.total_seconds() / 60)) for b in report.breaches] == [
        ("critical", 15),
        ("medium", 120),
    ]
    assert (report.acknowledge_sla.target, report.acknowledge_sla.verdict) == (
        timedelta(hours=2),
        "breached",
    )
