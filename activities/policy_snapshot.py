"""Reads the policy file for a new incident, so the rules in force are recorded in its history."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from temporalio import activity

from escalation.contract import PolicySnapshot
from escalation.policy import Policy
from escalation.policy_loader import PolicyInvalid, load_policy

log = logging.getLogger(__name__)


class PolicyActivities:
    """Holds the last good policy, so a bad edit on disk never stops new incidents from paging."""

    def __init__(self, path: Path, policy: Policy, *, slack: bool = False) -> None:
        self.path = path
        self.slack = slack
        """Slack is set up on this worker: incidents it opens may tell their story there."""
        self.last_good = policy
        self._good_digest = _policy_digest(policy)
        self._parsed = _digest(path)

    @activity.defn(name="snapshot_policy")
    def snapshot_policy(self) -> PolicySnapshot:
        """The policy on disk now; if the file became invalid, the last good one and a warning.

        The file is parsed again only when its bytes changed: parsing and validating it for every
        incident costs the worker CPU while incidents open (README, Worker settings), hashing a
        few kilobytes next to nothing. (A stat stamp could miss two same-size edits within one
        mtime tick.)
        """
        digest = _digest(self.path)
        if digest is None or digest != self._parsed:
            try:
                self.last_good = load_policy(self.path)
                self._good_digest = _policy_digest(self.last_good)
            except PolicyInvalid as error:
                log.error("using the last good policy: %s", error)
                return PolicySnapshot(
                    policy=self.last_good,
                    source=str(self.path),
                    warning=f"policy file is invalid, the last good version was used: {'; '.join(error.problems)}",
                    slack=self.slack,
                    digest=self._good_digest,
                )
            self._parsed = digest
        return PolicySnapshot(
            policy=self.last_good, source=str(self.path), slack=self.slack, digest=self._good_digest
        )


def _digest(path: Path) -> bytes | None:
    """A hash of the file's bytes now; None when it cannot be read (load_policy then says why)."""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except OSError:
        return None


def _policy_digest(policy: Policy) -> str:
    """A hash of what the policy says (not of the file's bytes: comments and layout aside)."""
    return hashlib.blake2b(policy.model_dump_json().encode(), digest_size=16).hexdigest()
