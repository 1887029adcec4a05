"""Incidents under one policy version share one parsed copy; other versions keep their own."""

from __future__ import annotations

from pathlib import Path

from activities.policy_snapshot import PolicyActivities
from escalation.contract import PolicySnapshot
from escalation.policy_loader import load_policy
from tests.conftest import EXAMPLE_FILE
from workflows.shared_policies import shared_snapshot


def snapshot_of(text: str, tmp_path: Path, name: str) -> PolicySnapshot:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return PolicyActivities(path, load_policy(path)).snapshot_policy()


def test_the_same_policy_is_held_once(tmp_path: Path) -> None:
    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    first = shared_snapshot(snapshot_of(text, tmp_path, "a.yaml"))
    # the same rules written differently: a comment more is the same policy
    second = shared_snapshot(snapshot_of("# reformatted\n" + text, tmp_path, "b.yaml"))
    assert second.policy is first.policy
    assert second.source != first.source  # the rest of the snapshot stays its own


def test_another_version_keeps_its_own_copy(tmp_path: Path) -> None:
    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    first = shared_snapshot(snapshot_of(text, tmp_path, "a.yaml"))
    changed = text.replace("escalate_after: 15m", "escalate_after: 16m", 1)
    assert changed != text
    other = shared_snapshot(snapshot_of(changed, tmp_path, "c.yaml"))
    assert other.policy is not first.policy
    assert other.policy != first.policy


def test_snapshots_without_a_digest_are_left_alone(tmp_path: Path) -> None:
    old = snapshot_of(EXAMPLE_FILE.read_text(encoding="utf-8"), tmp_path, "a.yaml")
    old = old.model_copy(update={"digest": None})
    assert shared_snapshot(old) is old
