"""The policy as the HTTP service sees it: reloaded when the file changes, the last good kept."""

from __future__ import annotations

import logging
from pathlib import Path

from escalation.policy import Policy
from escalation.policy_loader import PolicyInvalid, load_policy

logger = logging.getLogger(__name__)


class PolicySource:
    """Loads at start (an invalid policy refuses to start); after that a bad edit is logged and
    the last good policy stays in force until the file is fixed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp = self._read_stamp()
        self._policy = load_policy(path)

    def _read_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def current(self) -> Policy:
        """The policy in force; rereads the file only when its time or size changed."""
        stamp = self._read_stamp()
        if stamp is not None and stamp != self._stamp:
            self._stamp = stamp
            try:
                self._policy = load_policy(self.path)
                logger.info("policy reloaded from %s", self.path)
            except (PolicyInvalid, OSError) as error:
                logger.warning("keeping the last good policy: %s", error)
        return self._policy
