"""The benchmark policy, with the tier-1 window each scenario needs written into a copy."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import yaml

from escalation.durations import format_duration
from escalation.policy import Policy
from escalation.policy_loader import load_policy

TEMPLATE = Path(__file__).with_name("policy.yaml")
TIER_1 = "Tier 1"
TIER_2 = "Tier 2"


def write_policy(directory: Path, tier_1_window: timedelta) -> tuple[Path, Policy]:
    """A copy of the template whose tier-1 window is `tier_1_window`, validated as the worker will.

    The window is per scenario: it must outlast the opening of every incident, so that all of
    them are open when the first window expires.
    """
    document = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    tier_1 = document["tiers"][0]
    assert tier_1["name"] == TIER_1, "the template's first tier is Tier 1"
    tier_1["escalate_after"] = format_duration(tier_1_window)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "policy.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path, load_policy(path)
