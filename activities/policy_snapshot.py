"""Reads the policy file for a new incident, so the rules in force are recorded in its history."""

from __future__ import annotations

import logging
from pathlib import Path

from temporalio import activity

from escalation.contract import PolicySnapshot
from escalation.policy import Policy
from escalation.policy_loader import PolicyInvalid, load_policy

log = logging.getLogger(__name__)


class PolicyActivities:
    """Holds the last good policy, so a bad edit on disk never stops new incidents from paging."""

    def __init__(self, path: Path, policy: Policy) -> None:
        self.path = path
        self.last_good = policy

    @activity.defn(name="snapshot_policy")
    def snapshot_policy(self) -> PolicySnapshot:
        """The policy on disk now; if the file became invalid, the last good one and a warning."""
        try:
            self.last_good = load_policy(self.path)
        except PolicyInvalid as error:
            log.error("using the last good policy: %s", error)
            return PolicySnapshot(
                policy=self.last_good,
                source=str(self.path),
                warning=f"policy file is invalid, the last good version was used: {'; '.join(error.problems)}",
            )
        return PolicySnapshot(policy=self.last_good, source=str(self.path))
