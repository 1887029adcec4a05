"""Updates racing the incident: before it has opened, and several at once.

An update's validator can only check what it can see. Before the policy snapshot returns there
is no incident to check against, and several updates delivered together are all validated
before any applies; the handler then finds the refusal. That refusal must fail the update
(an ApplicationError), never the workflow task.

Both tests failed before `workflows/verb_handlers.refuse`: the handler raised ValueError, which
failed the workflow task on every retry, so the update never answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from escalation.alerts import Alert
from escalation.contract import CommandResult, IncidentStart, incident_workflow_id
from tests.conftest import IncidentWorker
from tests.workflows.helpers import start_incident, workflow_task_failures
from workflows.incident import IncidentWorkflow

SETTLE_SECONDS = 5.0


async def update_outcome(handle: WorkflowHandle, verb: str, payload: object) -> str:
    """`ok`, the refusal message, or the failures of a workflow task that wedged instead."""
    update = asyncio.ensure_future(handle.execute_update(verb, payload, result_type=CommandResult))
    deadline = time.monotonic() + SETTLE_SECONDS
    try:
        while not update.done():
            if failures := await workflow_task_failures(handle):
                return f"workflow task failed: {failures[0]}"
            if time.monotonic() > deadline:
                return "no answer"
            await asyncio.sleep(0.05)
        await update
        return "ok"
    except WorkflowUpdateFailedError as error:
        assert isinstance(error.cause, ApplicationError)
        return error.cause.message
    finally:
        update.cancel()
        with contextlib.suppress(BaseException):
            await update


async def test_an_update_refused_while_the_incident_opens_fails_the_update_only(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    worker = make_worker(time_skipping_env.client)
    key = f"race-{uuid.uuid4().hex[:8]}"
    async with worker.worker:
        handle = await worker.client.start_workflow(
            IncidentWorkflow.run,
            IncidentStart(key=key, alert=Alert(title="t", service="payments")),
            id=incident_workflow_id(key),
            task_queue=worker.task_queue,
        )
        worker.track(handle.id)
        # sent at once: validated before the snapshot, refused once the incident exists
        outcome = await update_outcome(handle, "reopen", {"by": "alice", "reason": "again"})
        assert outcome.startswith("reopen: only a resolved incident can be reopened"), outcome
        assert await workflow_task_failures(handle) == []


async def test_concurrent_acknowledgments_answer_one_ok_and_refuse_the_rest(
    time_skipping_env: WorkflowEnvironment, worker: IncidentWorker
) -> None:
    handle = await start_incident(worker)
    outcomes = await asyncio.gather(
        *(update_outcome(handle, "acknowledge", {"by": f"p{n}"}) for n in range(20))
    )
    assert outcomes.count("ok") == 1, outcomes
    refusals = [o for o in outcomes if o != "ok"]
    assert all(o.startswith("acknowledge: already acknowledged by p") for o in refusals)
    assert await workflow_task_failures(handle) == []
