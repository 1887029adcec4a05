"""Properties of on-call resolution over random schedules, zones, instants and overrides.

- the answer is a participant of the layer it names, or nobody;
- an override always wins inside its window, the newest one where several cover the instant;
- the timeline agrees with the instant-by-instant answer, so no hand-off is missed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from escalation.oncall import Roster
from escalation.schedules import Override, Schedule
from tests.escalation.weekly_strategies import DAYS, clocks, instants, reproducible, weekly_windows

PEOPLE = ["alice", "bob", "carol", "dave", "erin"]
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
checked = reproducible(100)
clock = clocks([0, 15, 30, 45])
restrictions = st.lists(weekly_windows(clock), max_size=2)
hand_offs = st.one_of(
    st.builds(lambda day, time: f"{day} {time}", st.sampled_from(DAYS), clock),
    st.builds(lambda moment: moment.replace(tzinfo=None).isoformat(timespec="minutes"), instants),
)
layers = st.fixed_dictionaries(
    {
        "participants": st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4),
        "shift": st.sampled_from(["1h", "8h", "12h", "1d", "3d", "1w", "2w"]),
        "hand_off": hand_offs,
        "restrictions": restrictions,
    },
    optional={"time_zone": st.sampled_from(ZONES)},
)
schedules = st.builds(
    lambda zone, drawn: Schedule.model_validate({"time_zone": zone, "layers": drawn}),
    st.sampled_from(ZONES),
    st.lists(layers, min_size=1, max_size=3),
)


@st.composite
def overrides(draw: Any) -> Override:
    start = draw(instants)
    return Override.model_validate(
        {
            "schedule": draw(st.sampled_from(["team", "other"])),
            "who": draw(st.sampled_from(PEOPLE)),
            "from": start,
            "to": start + draw(st.timedeltas(timedelta(minutes=1), timedelta(days=10))),
            "set_at": draw(instants),
        }
    )


def _layer_named(plan: Schedule, source: str) -> int:
    return int(source.removeprefix("layer ")) - 1


@checked
@given(plan=schedules, at=instants)
def test_the_answer_is_a_participant_of_its_layer_or_nobody(plan: Schedule, at: datetime) -> None:
    who, source = Roster(name="team", schedule=plan).on_call_at(at)
    if who is None:
        assert source is None
    else:
        assert source is not None
        assert who in plan.layers[_layer_named(plan, source)].participants


@checked
@given(plan=schedules, swaps=st.lists(overrides(), min_size=1, max_size=4), data=st.data())
def test_an_override_always_wins_in_its_window(
    plan: Schedule, swaps: list[Override], data: st.DataObject
) -> None:
    chosen = data.draw(st.sampled_from(swaps))
    offset = data.draw(st.floats(0, 0.999))
    at = chosen.start + (chosen.end - chosen.start) * offset
    who, source = Roster(name="team", schedule=plan, overrides=swaps).on_call_at(at)
    covering = [o for o in swaps if o.schedule == "team" and o.start <= at < o.end]
    if chosen.schedule != "team":
        if not covering:
            assert source != "override"
        return
    newest = max(covering, key=lambda o: o.set_at)
    assert source == "override"
    assert who == newest.who or any(o.set_at == newest.set_at and o.who == who for o in covering)


@checked
@given(plan=schedules, start=instants, data=st.data())
def test_the_timeline_agrees_with_every_instant(
    plan: Schedule, start: datetime, data: st.DataObject
) -> None:
    end = start + timedelta(days=10)
    roster = Roster(name="team", schedule=plan)
    shifts = roster.timeline(start, end)
    assert shifts[0].start == start
    assert shifts[-1].end == end
    for before, after in pairwise(shifts):
        assert before.end == after.start
        assert (before.who, before.source) != (after.who, after.source)
    for shift in shifts:
        assert roster.on_call_at(shift.start) == (shift.who, shift.source)
        inside = data.draw(st.floats(0, 0.999))
        probe = shift.start + (shift.end - shift.start) * inside
        assert roster.on_call_at(probe) == (shift.who, shift.source)
