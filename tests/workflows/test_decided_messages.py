"""Every message the engine decides on goes out or is recorded as skipped with the reason; people
a message could never reach are refused where they are named."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from escalation.logbook import NotificationRecord
from escalation.policy import Policy
from escalation.review import ReviewStart, ReviewState
from tests.conftest import EXAMPLE_POLICY
from tests.polling import poll
from tests.workflows.helpers import entries, policy_variant, start_incident, status, wait_for
from tests.workflows.test_review import (
    RESOLVE,
    refusal,
    resolved_critical_incident,
    review_status,
    wait_for_review,
)
from workflows.review import PostIncidentReviewWorkflow

ACME_BY_PHONE_ONLY = EXAMPLE_POLICY.read_text().replace(
    '[{email: ops@acme.example, phone: "+15555550199"}]', '[{phone: "+15555550199"}]'
)
CONTACTS = "alice, bob, carol, dave, erin, frank"


def skipped(records: list[NotificationRecord]) -> list[tuple[str, str, str | None]]:
    return [(n.purpose, n.recipient, n.error) for n in records if n.status == "skipped"]


@pytest.fixture
def acme_by_phone_only(tmp_path: Path) -> Path:
    return policy_variant(tmp_path, ACME_BY_PHONE_ONLY, "[{phone: ")


async def test_a_final_report_recipient_without_email_is_recorded_as_skipped(
    time_skipping_env: WorkflowEnvironment, make_worker, acme_by_phone_only: Path
) -> None:
    worker = make_worker(time_skipping_env.client, acme_by_phone_only)
    async with worker.worker:
        incident = await start_incident(worker, clients_affected=["acme", "globex"])
        await incident.execute_update("acknowledge", {"by": "alice"})
        await incident.execute_update("resolve", RESOLVE)
        state = await wait_for(
            incident,
            lambda s: any(
                n.purpose == "final_report_client" and n.status != "skipped"
                for n in s.notifications
            ),
        )
    why = "no email address, and the final report goes by email only"
    reports = [n for n in state.notifications if n.purpose == "final_report_client"]
    assert skipped(reports) == [("final_report_client", "ACME Corp", why)]
    assert f"final_report_client to ACME Corp not sent: {why}" in [
        e.detail for e in entries(state, "message_skipped")
    ]
    # the client messages ACME's contact has no address for are on the timeline too
    assert "client_opened to ACME Corp not sent: no email address" in [
        e.detail for e in entries(state, "message_skipped")
    ]


async def test_start_review_refuses_an_owner_nobody_can_reach_and_defaults_to_the_policys(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    worker = make_worker(time_skipping_env.client)
    async with worker.worker:
        incident = await start_incident(worker)  # payments: reviews are owned by bob
        reason = await refusal(incident, "start_review", {"by": "jdoe", "owner": "zed"})
        assert reason == (
            "start_review: owner 'zed' is not a contact in the policy, so nobody could be "
            f"reminded; name one of: {CONTACTS}"
        )
        await incident.signal("start_review", {"by": "jdoe", "owner": "zed"})
        state = await wait_for(incident, lambda s: bool(entries(s, "rejected")))
        assert entries(state, "rejected")[0].detail == reason
        assert state.review_owner is None

        await incident.execute_update("start_review", {"by": "jdoe"})  # `by` is a login name
        assert (await status(incident)).review_owner == "bob"
        await incident.execute_update("resolve", RESOLVE)
        state = await wait_for(incident, lambda s: s.review_workflow_id is not None)
        review = worker.track(state.review_workflow_id)
        # the consulted are invited too, in any order: wait for the owner's message itself
        opened = await wait_for_review(
            review, lambda r: any(n.purpose == "review_assigned" for n in r.notifications)
        )
    assert opened.owner == "bob"
    assert ("review_assigned", "Bob Okafor", "outbox") in {
        (n.purpose, n.recipient, n.status) for n in opened.notifications
    }


async def test_the_consulted_are_invited_and_sent_the_report_and_item_owners_must_be_contacts(
    time_skipping_env: WorkflowEnvironment, make_worker
) -> None:
    worker = make_worker(time_skipping_env.client)
    async with worker.worker:
        _, review = await resolved_critical_incident(time_skipping_env, worker)
        item = {"by": "bob", "title": "alert before expiry", "owner": "zed"}
        reason = await refusal(review, "add_action_item", item)
        assert reason.startswith("add_action_item: owner 'zed' is not a contact in the policy")
        assert reason.endswith(f"name one of: {CONTACTS}")
        await review.signal("add_action_item", item)
        state = await wait_for_review(review, lambda r: bool(entries(r, "rejected")))
        assert entries(state, "rejected")[0].detail == reason
        assert state.action_items == []
        await review.execute_update("complete_review", {"by": "bob", "summary": "automated"})
        final = ReviewState.model_validate(await review.result())
    sent = {(n.purpose, n.to) for n in final.notifications if n.status == "outbox"}
    assert ("review_invitation", "erin@example.com") in sent  # stakeholders.consulted
    assert ("final_report", "erin@example.com") in sent
    assert ("final_report", "frank@example.com") in sent  # stakeholders.informed
    assert skipped(final.notifications) == []


async def test_a_review_owner_nobody_can_reach_is_recorded_as_skipped(
    time_skipping_env: WorkflowEnvironment, make_worker, example_policy: Policy
) -> None:
    """An owner named before start_review checked names (or by a service starting the review
    itself): every message to them is recorded as skipped, none silently dropped."""
    worker = make_worker(time_skipping_env.client)
    async with worker.worker:
        incident = await start_incident(worker)
        await incident.execute_update("resolve", RESOLVE)
        resolved = await status(incident)
        review = await worker.client.start_workflow(
            PostIncidentReviewWorkflow.run,
            ReviewStart(
                incident=resolved,
                policy=example_policy,
                owner="zed",
                due_at=resolved.opened_at + timedelta(days=1),
            ),
            id=f"review-direct-{resolved.key}",
            task_queue=worker.task_queue,
        )
        worker.track(review.id)
        await time_skipping_env.sleep(timedelta(days=1, minutes=1))
        state = await poll(
            lambda: review_status(review),
            lambda r: len(skipped(r.notifications)) >= 2,
            "the overdue reminder to the unknown owner",
        )
    why = "not a contact in the policy, so there is no address to send to"
    assert skipped(state.notifications)[:2] == [
        ("review_assigned", "zed", why),
        ("review_reminder", "zed", why),
    ]
    assert entries(state, "message_skipped")[0].detail == f"review_assigned to zed not sent: {why}"
