"""A contract's `updates_every`: each client hears on its own cadence, on its own calendar.

Opened Friday 2026-12-04 16:00 UTC, critical, acknowledged at 16:05. ACME's Gold: an update every
30m round the clock. Globex's Standard: every 2h of London office hours (09:00-17:00).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from escalation.actions import Notify
from escalation.policy import Policy
from tests.escalation.test_client_clocks import FRIDAY, opened
from tests.escalation.test_engine import acknowledge, run_until


def test_each_client_hears_on_its_own_contracts_cadence(example_policy: Policy) -> None:
    state = opened(example_policy, ["acme", "globex"])
    state.contract_cadence = True  # the workflow's patch
    acknowledge(example_policy, state, FRIDAY + timedelta(minutes=5))

    fired = run_until(example_policy, state, datetime(2026, 12, 7, 11, 0, tzinfo=UTC))

    updates = [
        (at, {r.client for r in action.recipients})
        for at, action in fired
        if isinstance(action, Notify) and action.purpose == "client_update"
    ]
    acme = [at for at, clients in updates if clients == {"ACME Corp"}]
    globex = [at for at, clients in updates if clients == {"Globex"}]
    assert len(acme) + len(globex) == len(updates)  # nobody heard on another's cadence
    assert acme[:3] == [FRIDAY + timedelta(minutes=m) for m in (35, 65, 95)]
    # 16:05-17:00 on Friday and 09:00-10:05 on Monday: two business hours.
    assert globex == [datetime(2026, 12, 7, 10, 5, tzinfo=UTC)]


def test_without_the_patch_every_client_hears_on_the_severitys_cadence(
    example_policy: Policy,
) -> None:
    state = opened(example_policy, ["acme", "globex"])
    acknowledge(example_policy, state, FRIDAY + timedelta(minutes=5))

    fired = run_until(example_policy, state, FRIDAY + timedelta(hours=1))

    updates = [
        (at, {r.client for r in action.recipients})
        for at, action in fired
        if isinstance(action, Notify) and action.purpose == "client_update"
    ]
    assert updates == [(FRIDAY + timedelta(minutes=35), {"ACME Corp", "Globex"})]
