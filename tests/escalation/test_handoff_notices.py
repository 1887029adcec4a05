"""Planning and wording a hand-off notice, on a fixed clock (the workflow side is in
tests/workflows/test_handoff_notices.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from escalation.handoff_notices import handoff_notice, plan_handoff
from escalation.oncall import Roster
from escalation.policy import Policy
from escalation.schedules import Schedule

WEEKLY = Schedule.model_validate(
    {
        "time_zone": "Europe/Berlin",
        "notify_handoffs": True,
        "layers": [{"participants": ["alice", "bob"], "shift": "1w", "hand_off": "Mon 09:00"}],
    }
)


def test_the_plan_is_the_next_hand_off_in_wall_clock_time_across_dst(
    example_policy: Policy,
) -> None:
    # Berlin leaves summer time on Sun 2026-10-25: Monday 09:00 is 07:00 UTC before, 08:00 after.
    plan = plan_handoff(
        Roster(name="primary", schedule=WEEKLY), datetime(2026, 10, 20, tzinfo=UTC), True
    )
    assert (plan.at, plan.until) == (
        datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
    )
    notice = handoff_notice(example_policy, plan, "oncall-primary")
    assert notice is not None and notice.purpose == "handoff"
    (recipient,) = notice.recipients
    assert recipient.channels == ["sms", "email"]
    assert notice.facts.text == (
        "You are on call for primary from Mon 26 Oct 09:00 until Mon 02 Nov 09:00 Europe/Berlin"
    )


def test_no_notice_unless_asked_and_someone_comes_in(example_policy: Policy) -> None:
    roster = Roster(name="primary", schedule=WEEKLY)
    at = datetime(2026, 10, 20, tzinfo=UTC)
    assert handoff_notice(example_policy, plan_handoff(roster, at, False), "oncall-primary") is None
    unknown = plan_handoff(roster, at, True).model_copy(update={"who": "zed"})
    assert handoff_notice(example_policy, unknown, "oncall-primary") is None
    gap = plan_handoff(roster, at, True).model_copy(update={"who": None})
    assert handoff_notice(example_policy, gap, "oncall-primary") is None
