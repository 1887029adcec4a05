"""The outbox: where messages go when a channel has no credentials, so the demo runs offline."""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from escalation.messages import RenderedMessage

DEFAULT_OUTBOX = Path(".escalation/outbox.jsonl")
OUTBOX_VARIABLE = "ESCALATION_OUTBOX"

log = logging.getLogger(__name__)


def outbox_path() -> Path:
    """`ESCALATION_OUTBOX`, else `.escalation/outbox.jsonl`."""
    return Path(os.environ.get(OUTBOX_VARIABLE) or DEFAULT_OUTBOX)


class Outbox:
    """Appends each rendered message as one JSON line; a retried message is written once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._ids: set[str] | None = None

    def write(self, message: RenderedMessage) -> str:
        """Record the message and return its outbox reference (the notification id)."""
        with self._lock:
            written = self._written_ids()
            if message.notification_id in written:
                return message.notification_id
            written.add(message.notification_id)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            line = {"written_at": datetime.now(UTC).isoformat(), **message.model_dump(mode="json")}
            with self.path.open("a", encoding="utf-8") as outbox:
                outbox.write(json.dumps(line) + "\n")
        log.info(
            "%s to %s not sent (no %s credentials): written to outbox %s",
            message.channel,
            message.to,
            message.channel,
            self.path,
        )
        return message.notification_id

    def read(self) -> list[dict[str, object]]:
        """Every message in the outbox, oldest first."""
        if not self.path.exists():
            return []
        return [
            json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line
        ]

    def _written_ids(self) -> set[str]:
        """Ids already in the file, read once per process, so a retry after a crash is not doubled."""
        if self._ids is None:
            self._ids = {str(entry["notification_id"]) for entry in self.read()}
        return self._ids
