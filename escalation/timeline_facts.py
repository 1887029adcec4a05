"""The facts of a timeline entry, also for entries recorded before entries carried them.

New entries state their facts in fields (`TimelineEntry.tier`, `clock`, `severity`...). Incidents
recorded before that (old histories, carried state, finished incidents a report is asked for)
have only the sentence; this is the one place that reads their facts from it, in the words
`engine` and `verbs` wrote then.
"""

from __future__ import annotations

from escalation.logbook import TimelineEntry

ENGAGEMENTS = frozenset({"paged", "consulted", "escalated"})


def with_facts(entry: TimelineEntry) -> TimelineEntry:
    """The entry with its facts: as recorded, or read from its sentence when it predates them."""
    if entry.kind in ENGAGEMENTS and entry.tier is None:
        # "<tier>: <contact>, <contact> (<reason>)"
        tier, _, rest = entry.detail.partition(": ")
        contacts, _, reason = rest.partition(" (")
        recipients = [c.strip() for c in contacts.split(",") if c.strip()]
        update = {"tier": tier, "recipients": recipients, "reason": reason.removesuffix(")")}
        return entry.model_copy(update=update)
    if entry.kind == "sla_breach" and entry.clock is None:
        clock = "acknowledge" if entry.detail.startswith("acknowledgment") else "resolve"
        return entry.model_copy(update={"clock": clock})
    if entry.kind == "severity_changed" and entry.severity is None:
        # "<from> -> <to>: <reason>"
        severity = entry.detail.partition(" -> ")[2].partition(":")[0].strip() or None
        return entry.model_copy(update={"severity": severity})
    return entry
