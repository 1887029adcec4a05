"""Representative incidents, driven end to end on the dev server, whose histories are recorded
for replay tests. Together they reach every state, every verb (as signal and as update),
functional and hierarchical escalation, SLA breaches, channel fallback, throttling and the review.

Each scenario returns the ids of the workflows whose histories are worth keeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle

from escalation.incident import IncidentState
from escalation.review import ReviewState
from escalation.throttle import throttle_workflow_id
from tests.conftest import IncidentWorker
from tests.fakes.providers import (
    SENDGRID_PATH,
    FakeProviders,
    slow,
    twilio_error,
)
from tests.fakes.slack import RATELIMITED, FakeSlack
from tests.polling import poll
from tests.replay.handoff_scenario import (
    handoff_notices,
    handoff_policy,
    reopened_schedule_incident,
)
from tests.replay.schedule_scenario import override_then_nobody_on_call, schedule_policy
from tests.replay.sms_codes_scenario import reply_codes_book
from tests.workflows.helpers import mails_to, start_incident, wait_for

CRITICAL = {"clients_affected": ["acme", "globex"], "category": "outage", "users_affected": 40}
RESOLVE = {
    "by": "alice",
    "cause": "expired TLS certificate on the payments gateway",
    "resolution": "rotated the certificate",
    "preventive_measures": ["alert 14 days before expiry", "automate rotation"],
}


@dataclass(frozen=True)
class Stage:
    """What a scenario drives: a worker, the fake providers behind it, and the policy's clock.

    The story runs in real time on a real server, with every duration of the policy multiplied
    by `scale`, so `wait(timedelta(minutes=11))` waits as long as eleven policy minutes last.
    """

    worker: IncidentWorker
    providers: FakeProviders
    scale: float
    slack: FakeSlack | None = None
    """The fake Slack behind the worker, for scenarios recorded with Slack set up."""

    async def wait(self, policy_time: timedelta) -> None:
        await asyncio.sleep(policy_time.total_seconds() * self.scale)


@dataclass(frozen=True)
class Scenario:
    """One recorded story: its name (the history files' prefix) and how to drive it; `policy`
    edits the example policy's data for this story alone."""

    name: str
    drive: Callable[[Stage], Awaitable[list[str]]]
    slack: bool = False
    """Record with Slack set up on the worker (the fake Web API)."""
    policy: Callable[[dict[str, Any]], dict[str, Any]] | None = None


async def review_of(worker: IncidentWorker, incident: WorkflowHandle) -> WorkflowHandle:
    """The incident's review workflow, once it has started and opened."""
    state = await wait_for(incident, lambda s: s.review_workflow_id is not None)
    assert state.review_workflow_id is not None
    review = worker.track(state.review_workflow_id)
    await poll(
        lambda: review.query("status", result_type=ReviewState),
        lambda r: bool(r.timeline),
        f"{review.id} status",
    )
    return review


def delivered_to(state: IncidentState, recipient: str) -> bool:
    """Whether every page to this person has settled, so nothing of theirs is in flight and
    the next verb lands at the same point of the story on every recording."""
    records = [n for n in state.notifications if n.recipient == recipient]
    return bool(records) and all(n.status != "throttled" for n in records)


async def until_closed(*handles: WorkflowHandle) -> None:
    """Each workflow has completed, so its history is whole."""
    for handle in handles:
        await poll(
            handle.describe,
            lambda d: d.status == WorkflowExecutionStatus.COMPLETED,
            f"{handle.id} completed",
        )


async def escalated_acked_reviewed(stage: Stage) -> list[str]:
    """The common critical incident: tier 1 misses its window, tier 2 acks, clients hear, the
    incident is resolved, and the review tracks an action item to done and closes it."""
    worker = stage.worker
    incident = await start_incident(worker, **CRITICAL)
    await stage.wait(timedelta(minutes=11))
    await wait_for(incident, lambda s: s.tier == 2)
    await incident.signal("acknowledge", {"by": "bob", "note": "looking"})
    await incident.signal("add_note", {"by": "bob", "text": "gateway returns 502 since 09:12"})
    await incident.execute_update(
        "post_update", {"by": "bob", "message": "Cause identified.", "eta": "2030-01-01T12:00:00Z"}
    )
    await stage.wait(timedelta(minutes=31))
    await incident.signal("resolve", RESOLVE)
    review = await review_of(worker, incident)
    due = (await incident.query("status")).get("resolved_at")
    await review.signal(
        "add_action_item",
        {"by": "bob", "title": "alert on expiry", "owner": "carol", "due": due},
    )
    await review.execute_update(
        "add_action_item",
        {"by": "bob", "title": "automate rotation", "owner": "dave", "due": "2030-01-01T00:00:00Z"},
    )
    await review.signal("submit_feedback", {"by": "ops@acme.example", "text": "timely updates"})
    await stage.wait(timedelta(hours=2))
    await review.signal("complete_action_item", {"by": "carol", "id": "A1"})
    await review.execute_update("complete_action_item", {"by": "dave", "id": "A2"})
    await review.execute_update("submit_feedback", {"by": "noc@globex.example", "text": "ok"})
    await review.signal("complete_review", {"by": "bob", "summary": "rotation automated"})
    await until_closed(review, incident)
    return [incident.id, review.id]


async def breached_escalated_reopened(stage: Stage) -> list[str]:
    """Nobody answers: every tier, the ack breach, management. Then the operator verbs as
    updates, a reopen, a second resolution and a review started by hand."""
    worker = stage.worker
    incident = await start_incident(worker, **CRITICAL)
    await stage.wait(timedelta(minutes=11))
    await incident.execute_update("escalate", {"by": "bob", "reason": "needs DBA", "to_tier": 3})
    await wait_for(incident, lambda s: delivered_to(s, "Dave Kim"))
    await incident.signal("escalate", {"by": "bob", "reason": "ownership", "to_tier": 2})
    await stage.wait(timedelta(hours=1, minutes=20))
    await wait_for(incident, lambda s: s.position.management_engaged)
    await incident.signal("escalate", {"by": "erin", "reason": "VP", "to_tier": "management"})
    await incident.execute_update("acknowledge", {"by": "carol"})
    await incident.execute_update("add_note", {"by": "carol", "text": "failing over the DB"})
    await incident.execute_update(
        "change_severity", {"by": "carol", "severity": "high", "reason": "one region only"}
    )
    await stage.wait(timedelta(hours=7))
    await incident.execute_update("resolve", RESOLVE | {"by": "carol"})
    review = await review_of(worker, incident)
    await incident.execute_update("reopen", {"by": "erin", "reason": "errors are back"})
    await wait_for(incident, lambda s: s.status == "triggered")
    await incident.signal("acknowledge", {"by": "alice"})
    await incident.execute_update("resolve", RESOLVE)
    await incident.signal("start_review", {"by": "erin", "owner": "erin"})
    await review.execute_update("complete_review", {"by": "erin", "summary": "two causes"})
    await until_closed(incident)
    return [incident.id, review.id]


async def rejected_and_unreviewed(stage: Stage) -> list[str]:
    """What the UI can send that is wrong; repeated alerts, one of which raises the severity;
    an operator lowers it again, and a low incident needs no review: it closes at once."""
    worker = stage.worker
    incident = await start_incident(worker, title="slow search", service="search", severity="low")
    await incident.signal("acknowledge", None)
    await incident.signal("acknowledge", {"by": ""})
    await incident.signal("escalate", {"by": "x", "to_tier": 9})
    await incident.signal("change_severity", {"by": "x", "severity": "apocalyptic"})
    await incident.signal("resolve", {"by": "x"})
    await incident.signal("review_completed", {"review_id": "review-someone-else"})
    await incident.signal("start_review", {"by": "x", "owner": "nobody-in-the-policy"})
    alert = {"title": "slow search", "service": "search", "alert_id": "a-2", "users_affected": 5}
    await incident.signal("new_alert", alert)
    await incident.signal("new_alert", alert)
    await incident.execute_update("new_alert", alert | {"alert_id": "a-3", "category": "outage"})
    await incident.signal("post_update", {"by": "alice", "message": "index rebuilt"})
    await wait_for(incident, lambda s: s.alerts_received == 3 and s.severity == "high")
    await incident.signal("change_severity", {"by": "alice", "severity": "low", "reason": "a blip"})
    await incident.execute_update("resolve", RESOLVE | {"preventive_measures": []})
    await until_closed(incident)
    return [incident.id]


async def optional_review_started_by_hand(stage: Stage) -> list[str]:
    """A medium incident needs no review unless someone asks for one before resolving it."""
    worker = stage.worker
    incident = await start_incident(worker, title="report export slow", service="reports")
    await incident.execute_update("acknowledge", {"by": "alice"})
    await incident.execute_update("start_review", {"by": "alice", "owner": "bob"})
    await incident.execute_update("resolve", RESOLVE)
    review = await review_of(worker, incident)
    await review.signal("add_action_item", {"by": "bob", "title": "index", "owner": "nobody"})
    await review.execute_update("complete_review", {"by": "bob", "summary": "query plan fixed"})
    await until_closed(incident)
    return [incident.id, review.id]


async def warnings_cadence_and_resolve_breach(stage: Stage) -> list[str]:
    """Acked at once, then left: client updates on their cadence, resolution warnings at 50/75/90%,
    the acknowledgment timeout consulting the next tier, the resolve breach to management; then
    a reopen by signal, a second resolution, and the review closes the incident."""
    worker = stage.worker
    incident = await start_incident(worker, **CRITICAL)
    await incident.execute_update("acknowledge", {"by": "alice", "note": "on it"})
    await stage.wait(timedelta(hours=4, minutes=5))
    await wait_for(incident, lambda s: s.sla.resolve_breached)
    await incident.execute_update("resolve", RESOLVE)
    review = await review_of(worker, incident)
    await incident.signal("reopen", {"by": "alice", "reason": "still failing for ACME"})
    await wait_for(incident, lambda s: s.status == "triggered")
    await incident.execute_update("acknowledge", {"by": "alice"})
    await incident.signal("resolve", RESOLVE)
    await wait_for(incident, lambda s: s.status == "resolved")
    await review.execute_update("complete_review", {"by": "bob", "summary": "slow fix"})
    await until_closed(incident)
    return [incident.id, review.id]


async def breach_under_former_severity(stage: Stage) -> list[str]:
    """The acknowledgment SLA is breached, then the severity lowered: the flag drops and the
    clock watches the lower severity's due time, which passes too; acknowledged, resolved."""
    incident = await start_incident(stage.worker, **CRITICAL)
    await wait_for(incident, lambda s: s.sla.ack_breached)
    await incident.execute_update(
        "change_severity", {"by": "carol", "severity": "medium", "reason": "one region only"}
    )
    await wait_for(incident, lambda s: not s.sla.ack_breached)
    await wait_for(incident, lambda s: s.sla.ack_breached)  # medium's 2 hours (12 s) are up
    await incident.execute_update("acknowledge", {"by": "carol"})
    await incident.execute_update("resolve", RESOLVE | {"by": "carol"})
    await until_closed(incident)
    return [incident.id]


async def fallback_and_throttle(stage: Stage) -> list[str]:
    """Real provider SDKs against the fake: a refused SMS falls back to email; seven incidents
    at once page the same phone, so the per-number throttle holds two and bundles them; tier 2's
    held pages are withdrawn by the acknowledgments."""
    worker = stage.worker
    stage.providers.inject(
        "/Messages.json", twilio_error(400, 21211, "The 'To' number is not a valid phone number.")
    )
    incidents = [await start_incident(worker, **CRITICAL, title=f"disk full {n}") for n in range(7)]
    await stage.wait(timedelta(minutes=16))
    for incident in incidents:
        await incident.execute_update("acknowledge", {"by": "alice"})
    throttle = throttle_workflow_id("sms", "+15555550101", worker.task_queue)
    return [incidents[0].id, incidents[-1].id, throttle]


async def flood_of_alerts(stage: Stage) -> list[str]:
    """A monitor flaps: 5,200 reports of one incident, more events than a run may hold, so the
    incident continues as new mid-flood (its first run is what the history-limit patch covers)."""
    incident = await start_incident(stage.worker, title="disk full", service="payments")
    await incident.execute_update("acknowledge", {"by": "alice"})
    alert = {"title": "disk full", "service": "payments", "source": "prometheus"}
    for batch in range(0, FLOOD, 100):
        await asyncio.gather(
            *(
                incident.signal("new_alert", alert | {"alert_id": f"a{n}"})
                for n in range(batch, batch + 100)
            )
        )
    await poll(
        lambda: incident.query("status", result_type=IncidentState),
        lambda state: state.alerts_received == 1 + FLOOD,
        "every alert counted",
        120,
        every=0.5,
    )
    return [incident.id]


async def told_in_slack(stage: Stage) -> list[str]:
    """A critical incident with Slack set up: its channel, the status message updated as it is
    acknowledged and resolved from Slack (one update rate limited), thread lines, the review,
    and the channel archived on close."""
    assert stage.slack is not None
    stage.slack.fail("chat.update", RATELIMITED)
    incident = await start_incident(stage.worker, **CRITICAL)
    await poll(_async_list(stage.slack, "chat.postMessage"), bool, "the status message")
    await incident.signal("acknowledge", {"by": "alice", "via": "Slack"})
    await stage.wait(timedelta(minutes=5))
    await incident.execute_update("resolve", RESOLVE | {"via": "Slack"})
    review = await review_of(stage.worker, incident)
    await review.signal("complete_review", {"by": "alice", "summary": "rotation automated"})
    await until_closed(review, incident)
    return [incident.id]


async def raised_into_slack(stage: Stage) -> list[str]:
    """A medium incident (no Slack) raised to critical: its story starts in Slack then."""
    assert stage.slack is not None
    incident = await start_incident(stage.worker, severity="medium", service="search")
    raised = {"by": "alice", "severity": "critical", "reason": "all regions"}
    await incident.execute_update("change_severity", raised)
    await poll(_async_list(stage.slack, "chat.postMessage"), bool, "the status message")
    await incident.execute_update("acknowledge", {"by": "alice", "via": "Slack"})
    await incident.signal("resolve", RESOLVE | {"via": "Slack"})
    review = await review_of(stage.worker, incident)
    await review.execute_update("complete_review", {"by": "alice", "summary": "capacity added"})
    await until_closed(review, incident)
    return [incident.id]


def _async_list(slack: FakeSlack, method: str) -> Callable[[], Awaitable[list]]:
    async def read() -> list:
        return slack.called(method)

    return read


async def client_joins_later(stage: Stage) -> list[str]:
    """An incident for ACME; a later alert adds Globex (raising the severity: two clients), who
    hears the opening notice it missed and gets its contract's clocks from then. Recorded with
    the code before `client-contract-clocks` too, which told Globex nothing."""
    worker = stage.worker
    incident = await start_incident(
        worker, title="report export slow", service="reports", clients_affected=["acme"]
    )
    alert = {"title": "report export slow", "service": "reports", "clients_affected": ["globex"]}
    await incident.signal("new_alert", alert | {"alert_id": "j-2"})
    await wait_for(incident, lambda s: "globex" in s.clients_affected)
    await stage.wait(timedelta(minutes=1))
    await incident.execute_update("acknowledge", {"by": "alice"})
    await incident.execute_update("resolve", RESOLVE)
    return [incident.id]


async def waited_on_the_client(stage: Stage) -> list[str]:
    """ACME's resolution clock paused while waiting on the client and resumed when it replies,
    twice: once by signals, once by updates (a `max_pause` timer started and cancelled each time)."""
    incident = await start_incident(
        stage.worker, title="report export slow", service="reports", clients_affected=["acme"]
    )
    await incident.execute_update("acknowledge", {"by": "alice"})
    wait = {"by": "alice", "client": "acme", "reason": "asked for their proxy logs"}
    replied = {"by": "alice", "client": "acme"}
    await incident.signal("wait_for_client", wait)
    await wait_for(incident, lambda s: s.client_clocks[0].waiting is not None)
    await stage.wait(timedelta(minutes=1))
    await incident.execute_update("client_replied", replied)
    await incident.execute_update("wait_for_client", wait)
    await stage.wait(timedelta(minutes=1))
    await incident.signal("client_replied", replied)
    await wait_for(incident, lambda s: len(s.client_clocks[0].pauses) == 2)
    await incident.execute_update("resolve", RESOLVE)
    return [incident.id]


async def client_breached_first(stage: Stage) -> list[str]:
    """ACME's 10-minute Gold acknowledgment is breached before the severity's 15: that alone
    sets `IncidentBreached`; acknowledged in between, resolved."""
    incident = await start_incident(stage.worker, **CRITICAL, title="search down")
    await stage.wait(timedelta(minutes=11))
    await wait_for(incident, lambda s: "client_ack" in s.breaches)
    await incident.execute_update("acknowledge", {"by": "alice"})
    await incident.execute_update("resolve", RESOLVE)
    return [incident.id]


async def client_waits_unknown(stage: Stage) -> list[str]:
    """`wait_for_client` and `client_replied` signalled to an incident: on the code before
    `client-wait-pauses-resolution` they had no handler and changed nothing; replayed on today's
    code they are refused (no marker in the history), and the clock stays as it was."""
    incident = await start_incident(
        stage.worker, title="report export slow", service="reports", clients_affected=["acme"]
    )
    await incident.execute_update("acknowledge", {"by": "alice"})
    wait = {"by": "alice", "client": "acme", "reason": "asked for their proxy logs"}
    await incident.signal("wait_for_client", wait)
    await stage.wait(timedelta(minutes=1))
    await incident.signal("client_replied", {"by": "alice", "client": "acme"})
    await incident.signal("add_note", {"by": "alice", "text": "asked ACME for logs"})
    await wait_for(incident, lambda s: any(e.kind == "note" for e in s.timeline))
    await incident.execute_update("resolve", RESOLVE)
    return [incident.id]


async def client_cadences(stage: Stage) -> list[str]:
    """Critical for ACME (Gold: an update every 30m) and Globex (Standard: every 2 office hours):
    after the acknowledgment ACME hears twice on its cadence, Globex on its own."""
    incident = await start_incident(stage.worker, **CRITICAL, title="search down")
    await wait_for(incident, lambda s: s.client_clocks)
    await incident.execute_update("acknowledge", {"by": "alice"})
    await stage.wait(timedelta(minutes=65))
    await incident.execute_update("resolve", RESOLVE)
    return [incident.id]


FLOOD = 5_200
EMAIL_HOLD_SECONDS = 5.0
"""Long enough for a receipt to be signalled while the email is held; under the SDK's 10 s
request timeout, so the send still succeeds."""
REJECTION_FLOOD = 230
"""Malformed signals in the rejection flood: past the hundred that each get a line, twice over."""
LONG_FEEDBACK = 30
"""9,000-character feedbacks to one review: 540,000 characters, kept twice (feedback, timeline)."""


async def receipts_and_links(stage: Stage) -> list[str]:
    """Alice's page email bounces (a SendGrid receipt), so she is called; a malformed and an
    unknown receipt are rejected; she acknowledges from an email link (`act_by_link`)."""
    incident = await start_incident(stage.worker, **CRITICAL, title="checkout failing")
    state = await wait_for(
        incident,
        lambda s: any(
            n.recipient == "Alice Ng" and n.channel == "email" and n.status == "sent"
            for n in s.notifications
        ),
    )
    email = next(
        n for n in state.notifications if n.recipient == "Alice Ng" and n.channel == "email"
    )
    bounce = {"notification_id": email.notification_id, "provider": "sendgrid"}
    await incident.signal("delivery_receipt", bounce | {"outcome": "bounced", "reason": "550"})
    await incident.signal("delivery_receipt", {"provider": "sendgrid"})
    await incident.signal(
        "delivery_receipt", bounce | {"notification_id": "x", "outcome": "dropped"}
    )
    await wait_for(
        incident,
        lambda s: any(n.recipient == "Alice Ng" and n.channel == "voice" for n in s.notifications),
    )
    link = {
        "token_id": "0123456789abcdef",
        "incident_id": incident.id,
        "opened_at": state.opened_at.isoformat(),
        "verb": "acknowledge",
        "by": "Alice Ng",
    }
    await incident.execute_update("act_by_link", link)
    return [incident.id]


async def receipt_before_its_message(stage: Stage) -> list[str]:
    """SendGrid's word on Alice's page email reaches the incident while the send itself is still
    on the wire (the provider holds every email a few seconds): the receipt is in the history
    before the delivery's result. Older code rejected it (`no message ... in this incident`); since
    `receipt-awaits-its-message` it waits for the record, and the bounce calls Alice."""
    stage.providers.inject(SENDGRID_PATH, slow(EMAIL_HOLD_SECONDS), times=4)
    incident = await start_incident(stage.worker, **CRITICAL, title="checkout failing")
    held = await poll(
        lambda: asyncio.to_thread(mails_to, stage.providers, "alice@example.com"),
        bool,
        "Alice's page email on the wire",
    )
    email = held[0]
    bounce = {
        "notification_id": email["custom_args"]["notification_id"],
        "provider": "sendgrid",
        "outcome": "bounced",
        "reason": "550",
    }
    await incident.signal("delivery_receipt", bounce)
    await wait_for(
        incident,
        lambda s: (
            any(
                e.kind in ("rejected", "delivery_receipt") and bounce["notification_id"] in e.detail
                for e in s.timeline
            )
            or any(n.channel == "email" and n.delivery == "bounced" for n in s.notifications)
        ),
    )
    await incident.execute_update("acknowledge", {"by": "alice"})
    return [incident.id]


async def flood_of_rejections(stage: Stage) -> list[str]:
    """A misconfigured sender repeats a malformed signal 230 times. Older code kept a line for
    each (16,000 of them outgrew the 2 MB payload limit at the handover and wedged the incident);
    since `rejections-sampled` the first hundred get a line, then every hundredth."""
    incident = await start_incident(
        stage.worker, title="slow search", service="search", severity="low"
    )
    for batch in range(0, REJECTION_FLOOD, 50):
        await asyncio.gather(
            *(
                incident.signal("acknowledge", {"by": "mallory", "note": n})
                for n in range(batch, min(batch + 50, REJECTION_FLOOD))
            )
        )
    # signals are handled in order: once the note is recorded, every rejection above was
    await incident.signal("add_note", {"by": "alice", "text": "the sender is fixed"})
    await wait_for(incident, lambda s: s.timeline[-1].kind == "note")
    await incident.execute_update("resolve", RESOLVE | {"preventive_measures": []})
    await until_closed(incident)
    return [incident.id]


def _refused_feedback(review: ReviewState) -> int:
    """Feedback the review refused because its log is full."""
    return sum(1 for e in review.timeline if e.detail.startswith("submit_feedback: the review"))


async def review_past_its_budget(stage: Stage) -> list[str]:
    """Thirty long feedbacks to one review. Older code took them all (150 of 10,000 characters
    outgrew the 2 MB payload limit and wedged a review, and with it the incident's closing);
    since `review-log-budget` the last ones are rejected: the review's log is full."""
    worker = stage.worker
    incident = await start_incident(worker, **CRITICAL)
    await incident.execute_update("acknowledge", {"by": "bob"})
    await incident.execute_update("resolve", RESOLVE)
    review = await review_of(worker, incident)
    for n in range(1, LONG_FEEDBACK + 1):
        text = f"{n}: " + "x" * 9_000
        await review.signal("submit_feedback", {"by": "ops@acme.example", "text": text})
        # one at a time, each in a workflow task of its own: a refused one then archives nothing
        await poll(
            lambda: review.query("status", result_type=ReviewState),
            lambda r, n=n: len(r.feedback) + _refused_feedback(r) >= n,
            f"{review.id} feedback {n}",
        )
    await review.execute_update("complete_review", {"by": "bob", "summary": "too much to say"})
    await until_closed(review, incident)
    return [incident.id, review.id]


async def closed_at_once(stage: Stage) -> list[str]:
    """A low incident (no review) for ACME resolved: it closes in the same step, and its
    resolution notice and final report still go out."""
    incident = await start_incident(
        stage.worker,
        title="search slow",
        service="search",
        severity="low",
        clients_affected=["acme"],
    )
    await incident.execute_update("acknowledge", {"by": "alice"})
    await incident.execute_update("resolve", RESOLVE)
    await until_closed(incident)
    return [incident.id]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("escalated_acked_reviewed", escalated_acked_reviewed),
    Scenario("breached_escalated_reopened", breached_escalated_reopened),
    Scenario("rejected_and_unreviewed", rejected_and_unreviewed),
    Scenario("optional_review_started_by_hand", optional_review_started_by_hand),
    Scenario("warnings_cadence_and_resolve_breach", warnings_cadence_and_resolve_breach),
    Scenario("breach_under_former_severity", breach_under_former_severity),
    Scenario("fallback_and_throttle", fallback_and_throttle),
    Scenario("flood_of_alerts", flood_of_alerts),
    Scenario("receipts_and_links", receipts_and_links),
    Scenario("receipt_before_its_message", receipt_before_its_message),
    Scenario("told_in_slack", told_in_slack, slack=True),
    Scenario("raised_into_slack", raised_into_slack, slack=True),
    Scenario("client_joins_later", client_joins_later),
    Scenario("override_then_nobody_on_call", override_then_nobody_on_call, policy=schedule_policy),
    Scenario("reply_codes_book", reply_codes_book),
    Scenario("handoff_notices", handoff_notices, policy=handoff_policy),
    Scenario("reopened_schedule_incident", reopened_schedule_incident, policy=schedule_policy),
    Scenario("client_waits_unknown", client_waits_unknown),
    Scenario("waited_on_the_client", waited_on_the_client),
    Scenario("client_breached_first", client_breached_first),
    Scenario("client_cadences", client_cadences),
    Scenario("closed_at_once", closed_at_once),
    Scenario("flood_of_rejections", flood_of_rejections),
    Scenario("review_past_its_budget", review_past_its_budget),
)
