"""Workflow side of paging a schedule: ask the activity who is on call, at the moment of the page.

The answer is an activity result, so replay reads it from history and never recomputes it from a
calendar or an override that has changed since.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from escalation.actions import AskOnCall
    from escalation.on_call_models import OnCallAnswer, OnCallQuestion
    from escalation.policy import Policy
    from workflows.patches import SCHEDULES_PAGED, patched

ON_CALL_DEADLINE = timedelta(minutes=2)
"""How long the question is retried before the tier pages without an answer (its contacts, or
the next tier when it has none): a page must not wait on a calendar server for long."""


async def ask_who_is_on_call(policy: Policy, ask: AskOnCall) -> OnCallAnswer:
    """Who the asked tier's schedule has on call now; nobody, with a warning, if nobody can say."""
    question = OnCallQuestion(
        schedule_name=ask.schedule,
        schedule=policy.schedules[ask.schedule],
        contacts=policy.contacts,
        at=workflow.now(),
    )
    try:
        return await workflow.execute_activity(
            "who_is_on_call",
            question,
            result_type=OnCallAnswer,
            start_to_close_timeout=timedelta(seconds=30),
            schedule_to_close_timeout=ON_CALL_DEADLINE,
            retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=20)),
            summary=f"who is on call for {ask.schedule}",
        )
    except ActivityError as error:
        cause = error.cause or error
        warning = f"could not tell who is on call: {cause}"
        return OnCallAnswer(schedule=ask.schedule, who=None, warnings=[warning])


def pages_schedules(policy: Policy) -> bool:
    """Asked once, before the incident opens: incidents opened before the patch page contacts."""
    return any(tier.schedule for tier in policy.tiers) and patched(SCHEDULES_PAGED)
