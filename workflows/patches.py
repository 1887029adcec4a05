"""Every patch id of the workflows, in the order they were made, and how a new run takes them all
at once.

Each `workflow.patched()` that returns true records a marker and upserts `TemporalChangeVersion`:
two history events per patch in every new incident, twenty patches by 2026-12-02. A run that
records LEAN_HISTORY instead has every patch adopted before it and asks none of them; a run
without that marker (begun on older code) asks each one as it did, so its history replays.
Patches made after LEAN_HISTORY are asked on their own (`patched` below, not in ADOPTED).
"""

from __future__ import annotations

from temporalio import workflow

NO_PAGE_AFTER_ACK = "no-page-after-ack-while-asking-throttle"
"""Patch id (2026-11-22): a page called off while asking its throttle is not sent. Histories
recorded before it (tests/replay/histories/2026-11-22-initial) replay the old path."""

BREACHED_ATTRIBUTE = "incident-breached-search-attribute"
"""Patch id (2026-11-22): incidents also publish `IncidentBreached`, an upsert more on a breach."""

SHORTER_RUNS = "history-limit-5000"
"""Patch id (2026-11-22): runs used to continue as new past 10,000 events, which let a flood of
alerts reach the server's signal limit first. Runs that passed 5,000 events under the old code
keep the old bound."""

NAMED_PEOPLE_CHECKED = "start-review-owner-is-a-contact"
"""Patch id (2026-12-02): `start_review` refuses an owner who is not a policy contact (a refused
signal issues no review). Decided once when the incident opens and kept in its state."""

REVIEW_PEOPLE = "review-consulted-and-known-owners"
"""Patch id (2026-12-02): `stakeholders.consulted` are invited when a review opens and sent the
complete final report when it completes, and an action item's owner must be a policy contact.
Reviews started before it (tests/replay/histories/2026-11-22-*) replay without either."""

HANDOVER_KEEPS_THE_CLOCK = "handover-keeps-the-clock"
"""Patch id (2026-12-02): the handover used to stop the loop until every delivery in flight
had finished (a client update retries for up to an hour), so the next tier, an SLA breach or a
warning fired that much late in exactly the long, flooded incidents. Now the loop keeps advancing
the engine and arming its timer while the drain runs, and continues as new once drained."""

REVIEW_ID_PER_RUN = "review-id-per-incident-run"
"""Patch id (2026-12-02): reviews were `review-<key>`; an incident reusing the key of a terminated
one whose review still ran could not start its own (the child start failed, and the workflow task
retried forever). Reviews are `review-<key>-<run>` now (see `review_workflow_id`)."""

REVIEW_FOLLOWS_RESOLUTION = "review-follows-last-resolution"
"""Patch id (2026-12-02): a review started on the first resolution kept that snapshot through a
reopen and a second resolution, and its final report told the first cause and fix. Now each later
resolution is signalled to the running review (`incident_resolved`)."""

BREACH_FOLLOWS_SEVERITY = "breach-flag-follows-severity"
"""Patch id (2026-12-02): a severity change kept the breach flags of the former severity, so
`IncidentBreached` and the SLA clock claimed a breach of an SLA that no longer applied. Now the
flags follow the new severity (`verbs.follow_severity`): lifting one re-arms the SLA deadline and
changes the upserted `IncidentBreached`."""

RECEIPT_FALLBACK = "delivery-receipt-fallback"
"""Patch id (2026-12-02): a page the provider reports undelivered (a Twilio status callback, a
SendGrid bounce) starts a delivery on the contact's next channel. A receipt signal in a history
recorded before it (sent before the worker had a handler) replays without the delivery."""

SLACK_STORY = "slack-story"
"""Patch id (2026-12-02): incidents opened by a worker with Slack set up tell their story in
Slack once their severity asks for it (activities `slack_open`, `slack_update_status`,
`slack_tell`, `slack_close`)."""

CLIENT_CLOCKS = "client-contract-clocks"
"""Patch id (2026-12-02): incidents affecting a client with a contract keep that client's SLA
clocks on its calendar, and a timer for the earliest due; a breach escalates to management.
A client added by a later alert gets the opening notice it missed, and its clocks. Asked only
when such a client is affected, so other incidents record no marker; incidents started before
the patch keep only the severity's clocks."""

ARCHIVED = "archive-on-status-change"
"""Patch id (2026-12-02): incidents and reviews write themselves to the archive when they open,
at each status change and when they end. Runs started before replay without these activities."""

SCHEDULES_PAGED = "tiers-page-schedules"
"""Patch id (2026-12-02): a tier naming a schedule used to page its contacts only; now it asks
`who_is_on_call` (an activity more) at each page and pages that person too, and a tier reaching
nobody skips to the next at once. Decided when the incident opens, and only for a policy whose
tiers name a schedule; kept in its state (`pages_schedules`)."""

HANDOFF_NOTICES = "handoff-notices"
"""Patch id (2026-12-02): a schedule workflow asked for hand-off notices plans each hand-off by
activity, sleeps until it and sends the incoming person a notice. Runs started before it
(tests/replay/histories/2026-12-02-schedules) only held overrides, and replay that path."""

REOPEN_FORGETS_REACH = "reopen-forgets-reach"
"""Patch id (2026-12-02): a reopen reset the cycle to 0 but kept the reach of the cycle before, so
a last tier with nobody on call after the reopen waited out its window instead of engaging
management at once; that engagement is new commands, hence the patch (`verbs.forget_reach`)."""

CLIENT_WAIT = "client-wait-pauses-resolution"
"""Patch id (2026-12-02): `wait_for_client` pauses a client's resolution clock (its deadline
leaves the timer; a timer for the contract's `max_pause` takes its place) and `client_replied`
resumes it. Before, the verbs had no handler and changed nothing: an incident that received
one then replays it as refused. Asked only when such a verb would apply."""

CLIENT_BREACH_FLAG = "client-breach-sets-incident-breached"
"""Patch id (2026-12-02): `IncidentBreached` is also true when only a client's contract target
is breached (ACME's 10-minute Gold acknowledgment before the severity's 15); before, only the
severity's SLAs set it, and such an incident upserted no change. Asked only in that case."""

CLIENT_CADENCE = "client-contract-update-cadence"
"""Patch id (2026-12-02): a client whose contract sets `updates_every` hears on that cadence, on
its contract's calendar, and the severity's `client_updates_every` serves the others; before,
every client heard on the severity's. Changes the timers of incidents with such a client.
Asked when the first contracted client's clocks start (kept in `contract_cadence`)."""

CLOSING_MESSAGES_SENT = "closing-messages-sent"
"""Patch id (2026-12-02): a resolve that closes the incident at once (no review needed, or its
review already completed) used to leave the loop before its actions were carried out, so the
clients' resolution notice and the final report were never sent."""

ADOPTED = frozenset(
    {
        NO_PAGE_AFTER_ACK,
        BREACHED_ATTRIBUTE,
        SHORTER_RUNS,
        NAMED_PEOPLE_CHECKED,
        REVIEW_PEOPLE,
        HANDOVER_KEEPS_THE_CLOCK,
        REVIEW_ID_PER_RUN,
        REVIEW_FOLLOWS_RESOLUTION,
        BREACH_FOLLOWS_SEVERITY,
        RECEIPT_FALLBACK,
        SLACK_STORY,
        CLIENT_CLOCKS,
        ARCHIVED,
        SCHEDULES_PAGED,
        HANDOFF_NOTICES,
        REOPEN_FORGETS_REACH,
        CLIENT_WAIT,
        CLIENT_BREACH_FLAG,
        CLIENT_CADENCE,
        CLOSING_MESSAGES_SENT,
    }
)
"""The patches a run recording LEAN_HISTORY has without asking. Never add a later patch here: a
run begun between LEAN_HISTORY and that patch would replay the patch's path it never took."""

LEAN_HISTORY = "lean-history"
"""Patch id (2026-12-02): one marker stands for every patch in ADOPTED. Runs begun before it
replay their own markers. (Reading the policy by local activity was tried with it and dropped:
a recorded incident's `opened_at`, read from `workflow.now()` right after the local activity,
came out different on replay, and its signed link was refused.)"""


RECEIPT_AWAITS_ITS_MESSAGE = "receipt-awaits-its-message"
"""Patch id (2026-12-03): a provider's receipt for a message this incident issued but has not
recorded yet (the webhook beat the delivery activity's result to the workflow; in one workflow
task, signals are applied first) waits for the record, up to the delivery's deadline, instead of
being rejected as `no message ... in this incident`: a bounced page then falls back as it
should. Asked only when such a receipt arrives."""


REJECTIONS_SAMPLED = "rejections-sampled"
"""Patch id (2026-12-03): past its first REJECTIONS_LOGGED rejected signals, a workflow's log
keeps a line for every hundredth only (all are counted): a flood of malformed signals no longer
grows the state it carries over without end. Asked only when the hundredth is passed."""


REVIEW_LOG_BUDGET = "review-log-budget"
"""Patch id (2026-12-03): a review refuses an action item or feedback that would take its text
past REVIEW_BUDGET (it had no budget: 150 feedbacks of 10,000 characters wedged it at the 2 MB
payload limit). Asked only when such a verb arrives."""


REOPEN_RESTARTS_CLIENT_CLOCKS = "reopen-restarts-client-clocks"
"""Patch id (2026-12-03): a reopen restarts every contracted client's clocks from the reopen, as
the severity's restart (`client_clocks.restart_clocks`). Before, a client acknowledged and
resolved in time was breached at once on a reopen, against its first cycle's due times, and the
breach engaged management: new commands, hence the patch. Asked only on such a reopen."""


def patched(patch_id: str) -> bool:
    """`workflow.patched`, except that a run on LEAN_HISTORY has every adopted patch for free.

    LEAN_HISTORY is asked first, once per run (the SDK memoizes it): a run begun on older code
    replays without its marker and goes on asking each patch, as it always did."""
    if patch_id in ADOPTED and workflow.patched(LEAN_HISTORY):
        return True
    return workflow.patched(patch_id)
