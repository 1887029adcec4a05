"""Hand-off notices: telling the incoming person about their shift, for schedules that ask.

The schedule workflow sleeps until the next hand-off an activity planned (from the roster with its
calendars and overrides, so replay never recomputes it), then sends the notice this module words,
through the same delivery, fallback and throttles as a page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from escalation.actions import MessageFacts, Notify, Recipient
from escalation.contacts import Channel
from escalation.logbook import Logbook
from escalation.oncall import Roster
from escalation.policy import Policy

HANDOFF_HORIZON = timedelta(days=35)
"""How far ahead a hand-off is looked for: past a four-week rotation, with room to spare."""
HANDOFF_CHANNELS: list[Channel] = ["sms", "email"]
"""A shift notice is no emergency: text and mail, never a phone call."""
HANDOFF_SIGNAL = "notify_handoffs"


class HandoffPlan(BaseModel):
    """The next hand-off of a schedule as an activity planned it; `at` None when none is due
    within the horizon. `notify` is the policy's `notify_handoffs` when planned."""

    schedule: str
    notify: bool
    at: datetime | None = None
    who: str | None = Field(None, description="The incoming person; None for a gap")
    until: datetime | None = Field(None, description="When their shift ends (or the horizon)")
    time_zone: str = "UTC"


class ScheduleLog(Logbook):
    """The schedule workflow's record of the notices it sent."""

    schedule_id: str

    @property
    def logbook_id(self) -> str:
        return self.schedule_id


def plan_handoff(roster: Roster, after: datetime, notify: bool) -> HandoffPlan:
    """The first change of who is on call after `after`, within HANDOFF_HORIZON."""
    plan = HandoffPlan(schedule=roster.name, notify=notify, time_zone=roster.schedule.time_zone)
    shifts = roster.hand_offs(after, 1, HANDOFF_HORIZON)
    if not shifts:
        return plan
    shift = shifts[0]
    return plan.model_copy(update={"at": shift.start, "who": shift.who, "until": shift.end})


def handoff_text(plan: HandoffPlan) -> str:
    """`You are on call for primary from Mon 07 Dec 09:00 until Mon 14 Dec 09:00 Europe/Berlin`."""
    zone = ZoneInfo(plan.time_zone)
    assert plan.at is not None and plan.until is not None
    start, end = plan.at.astimezone(zone), plan.until.astimezone(zone)
    return (
        f"You are on call for {plan.schedule} from {start:%a %d %b %H:%M} "
        f"until {end:%a %d %b %H:%M} {plan.time_zone}"
    )


def handoff_notice(policy: Policy, plan: HandoffPlan, schedule_id: str) -> Notify | None:
    """The notice for the incoming person, or None: no hand-off, a gap, a contact the policy no
    longer has, or a schedule that does not ask for notices."""
    if not plan.notify or plan.at is None or plan.until is None or plan.who is None:
        return None
    if plan.who not in policy.contacts:
        return None
    contact = policy.contact(plan.who)
    recipient = Recipient(name=contact.name or plan.who, contact=contact, channels=HANDOFF_CHANNELS)
    facts = MessageFacts(
        incident_id=schedule_id,
        title=f"On call for {plan.schedule}",
        service=plan.schedule,
        severity="",
        status="on_call",
        tier_name=plan.schedule,
        opened_at=plan.at,
        ack_due=plan.until,
        resolve_due=plan.until,
        text=handoff_text(plan),
    )
    return Notify(purpose="handoff", audience="responders", recipients=[recipient], facts=facts)
