"""Incident metrics emitted from workflow code, through the SDK's workflow metric meter.

The SDK drops these calls while a workflow replays, so a worker that rebuilds an incident from
its history does not count it twice. Emitting a metric issues no command: nothing here changes
what a history records, and no `workflow.patched` is needed. Label values come from bounded
sets only: severities and services the policy names, tier numbers, channels, purposes,
outcomes, deadline kinds. Never an incident id, a person or an address.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from escalation.actions import Deadline
    from escalation.incident import IncidentState
    from escalation.logbook import NotificationRecord, TimelineEntry
    from escalation.policy import Policy

OTHER_SERVICE = "other"
"""The `service` label of a service the policy does not name: alerts name services freely."""

LAGGED_DEADLINES = frozenset({"tier_window", "ownership_window", "ack_sla", "resolve_sla"})
"""Deadlines whose firing pages someone: the escalation lag is measured for these."""

PAGING_ENTRIES = frozenset({"paged", "escalated"})

COUNTED_ENTRIES = {
    "opened": "escalation_incidents_opened",
    "acknowledged": "escalation_incidents_acknowledged",
    "resolved": "escalation_incidents_resolved",
}


def service_label(policy: Policy, service: str) -> str:
    """The service as a label value: named by the policy (classification rules, review owners),
    or `other`, so an integration inventing service names cannot grow the series."""
    named = {rule.when.service for rule in policy.classification if rule.when and rule.when.service}
    named |= set(policy.reviews.owners)
    return service if service in named else OTHER_SERVICE


def message_recorded(record: NotificationRecord) -> None:
    """A message's outcome (sent, outbox, failed, cancelled, skipped, throttled) on a channel."""
    workflow.metric_meter().create_counter(
        "escalation_notifications",
        "Messages by channel, purpose and outcome, as the incident's record states them.",
    ).add(1, {"channel": record.channel, "purpose": record.purpose, "outcome": record.status})


def fallback_planned(failed: str, fallback: str) -> None:
    """A channel failed for good and another one is tried for the same person."""
    workflow.metric_meter().create_counter(
        "escalation_fallbacks", "Fallbacks to another channel after a failure for good."
    ).add(1, {"channel": failed, "fallback": fallback})


class IncidentMetrics:
    """Counts what an incident's timeline gained since the last look, and the escalation lag.

    Starts at the end of the timeline it is given, so a run continued as new does not count
    again what its predecessor counted.
    """

    def __init__(self, state: IncidentState | None) -> None:
        self._seen_entries = len(state.timeline) if state else 0
        self._seen_breaches = len(state.breaches) if state else 0
        self._awaited: Deadline | None = None

    def observe(self, policy: Policy, state: IncidentState, deadline: Deadline | None) -> None:
        """Call after each step of the incident, with the deadline the workflow now waits for."""
        labels = {
            "severity": state.severity,
            "service": service_label(policy, state.service),
            "tier": str(state.tier),
        }
        meter = workflow.metric_meter()
        new_entries = state.timeline[self._seen_entries :]
        for entry in new_entries:
            name = COUNTED_ENTRIES.get(entry.kind)
            if name is not None:
                meter.create_counter(name, f"Incidents {entry.kind}.").add(1, labels)
        for clock in state.breaches[self._seen_breaches :]:
            meter.create_counter(
                "escalation_sla_breaches", "SLA breaches by clock (ack or resolve)."
            ).add(1, {"clock": clock, "severity": state.severity})
        self._record_lag(new_entries, workflow.now())
        self._seen_entries = len(state.timeline)
        self._seen_breaches = len(state.breaches)
        self._awaited = deadline

    def _record_lag(self, new_entries: list[TimelineEntry], now: datetime) -> None:
        """Deadline to the workflow task that fired it and started the pages (the same task).

        Covers the timer firing and the wait for a worker to run the task; the page activity's
        own queue wait is the SDK's `activity_schedule_to_start_latency`.
        """
        awaited = self._awaited
        if awaited is None or awaited.kind not in LAGGED_DEADLINES or awaited.at > now:
            return
        if not any(e.kind in PAGING_ENTRIES and e.at == now for e in new_entries):
            return
        workflow.metric_meter().create_histogram_timedelta(
            "escalation_lag_seconds",
            "From an escalation deadline to the start of the pages it calls for.",
            "duration",
        ).record(now - awaited.at, {"deadline": awaited.kind})
