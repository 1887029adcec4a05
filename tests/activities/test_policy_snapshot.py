"""The policy snapshot keeps new incidents paging when someone breaks the policy file."""

from __future__ import annotations

from pathlib import Path

from temporalio.testing import ActivityEnvironment

from activities.policy_snapshot import PolicyActivities
from escalation.policy_loader import load_policy
from tests.conftest import EXAMPLE_POLICY


def started_with_example(directory: Path) -> tuple[Path, PolicyActivities]:
    """The example policy in a file of its own, and the activities that loaded it at start."""
    path = directory / "policy.yaml"
    path.write_text(EXAMPLE_POLICY.read_text())
    return path, PolicyActivities(path, load_policy(path))


def test_a_policy_broken_after_start_falls_back_to_the_last_good_one(tmp_path: Path) -> None:
    path, activities = started_with_example(tmp_path)
    path.write_text(EXAMPLE_POLICY.read_text().replace("contacts: [bob]", "contacts: [bobb]"))

    snapshot = ActivityEnvironment().run(activities.snapshot_policy)

    assert snapshot.policy.tiers[1].contacts == ["bob"]
    assert snapshot.warning is not None
    assert "tiers[1].contacts[0]: unknown contact 'bobb'" in snapshot.warning


def test_a_fixed_policy_is_picked_up_for_the_next_incident(tmp_path: Path) -> None:
    path, activities = started_with_example(tmp_path)
    path.write_text(EXAMPLE_POLICY.read_text().replace("repeat: 1", "repeat: 2"))

    snapshot = ActivityEnvironment().run(activities.snapshot_policy)

    assert (snapshot.policy.repeat, snapshot.warning) == (2, None)


def test_an_unchanged_policy_is_not_parsed_again(tmp_path: Path, monkeypatch) -> None:
    path, activities = started_with_example(tmp_path)
    parsed: list[Path] = []
    monkeypatch.setattr(
        "activities.policy_snapshot.load_policy", lambda p: parsed.append(p) or load_policy(p)
    )

    for _ in range(3):
        ActivityEnvironment().run(activities.snapshot_policy)
    assert parsed == []
    path.write_text(EXAMPLE_POLICY.read_text().replace("repeat: 1", "repeat: 2"))
    assert ActivityEnvironment().run(activities.snapshot_policy).policy.repeat == 2
    assert parsed == [path]
