"""`stats --client`: one client's targets across incidents, as its final reports show them."""

from __future__ import annotations

from datetime import timedelta

from escalation.commands import Resolve, WaitForClient
from escalation.contract_stats import client_contract_stats, client_key
from escalation.policy import Policy
from tests.escalation.test_client_clocks import FRIDAY, opened
from tests.escalation.test_client_waits import apply
from tests.escalation.test_engine import acknowledge, run_until


def test_each_target_with_business_time_used_and_met_or_missed(example_policy: Policy) -> None:
    kept = opened(example_policy, ["acme"])  # Gold critical: ack 10m, resolve 2h
    acknowledge(example_policy, kept, FRIDAY + timedelta(minutes=5))
    wait = WaitForClient(by="alice", client="acme", reason="logs")
    apply(example_policy, kept, wait, FRIDAY + timedelta(minutes=30))
    resolve = Resolve(by="alice", cause="cert", resolution="rotated")
    apply(example_policy, kept, resolve, FRIDAY + timedelta(hours=4))
    late = opened(example_policy, ["acme", "globex"])
    run_until(example_policy, late, FRIDAY + timedelta(hours=3))
    apply(example_policy, late, resolve, FRIDAY + timedelta(hours=3))
    other = opened(example_policy, ["globex"])

    assert client_key(example_policy, "acme corp") == "acme"
    stats = client_contract_stats([late, other, kept], example_policy, "acme")

    assert stats.client == "ACME Corp"
    assert len(stats.incidents) == 2
    found = sorted((o.used, o.paused, o.verdict) for row in stats.incidents for o in row.outcomes)
    assert found == [
        (timedelta(minutes=5), timedelta(0), "met"),  # acknowledged in 5m
        (timedelta(minutes=30), timedelta(hours=3, minutes=30), "met"),  # the wait not counted
        (timedelta(hours=3), timedelta(0), "breached"),  # never acknowledged: resolution stops it
        (timedelta(hours=3), timedelta(0), "breached"),
    ]
    assert (stats.met, stats.missed, stats.pending) == (2, 2, 0)
