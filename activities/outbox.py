"""The outbox: where messages go when a channel has no credentials, so the demo runs offline."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from escalation.messages import RenderedMessage

DEFAULT_OUTBOX = Path(".escalation/outbox.jsonl")
OUTBOX_VARIABLE = "ESCALATION_OUTBOX"

REMEMBERED_IDS = 10_000
"""Notification ids the outbox remembers to write a retried message once. A retry comes within
the delivery deadline (an hour at most), so this many recent ids cover any retry unless more
than this many other messages were written in between; the memory stays bounded however long
the worker runs."""

log = logging.getLogger(__name__)


def outbox_path() -> Path:
    """`ESCALATION_OUTBOX`, else `.escalation/outbox.jsonl`."""
    return Path(os.environ.get(OUTBOX_VARIABLE) or DEFAULT_OUTBOX)


class Outbox:
    """Appends each rendered message as one JSON line; a retried message is written once.

    A line torn by a crash mid-write is skipped (and logged) wherever it is read, and the next
    message starts on a line of its own: one bad line never stops the outbox.
    """

    def __init__(self, path: Path, remember: int = REMEMBERED_IDS) -> None:
        self.path = path
        self.remember = remember
        self._lock = threading.Lock()
        self._ids: OrderedDict[str, None] | None = None

    def write(self, message: RenderedMessage) -> str:
        """Record the message and return its outbox reference (the notification id)."""
        with self._lock:
            if self._already_written(message.notification_id):
                return message.notification_id
            self.path.parent.mkdir(parents=True, exist_ok=True)
            line = {"written_at": datetime.now(UTC).isoformat(), **message.model_dump(mode="json")}
            with self.path.open("a+b") as outbox:
                outbox.write(_line_break_if_torn(outbox) + (json.dumps(line) + "\n").encode())
            self._remember(message.notification_id)
        log.info(
            "%s to %s not sent (no %s credentials): written to outbox %s",
            message.channel,
            message.to,
            message.channel,
            self.path,
        )
        return message.notification_id

    def read(self) -> list[dict[str, Any]]:
        """Every whole message in the outbox, oldest first."""
        return list(self._entries())

    @property
    def remembered(self) -> int:
        """How many notification ids are held in memory for deduplication."""
        return len(self._ids or ())

    def _entries(self) -> Iterator[dict[str, Any]]:
        """The file line by line (never all in memory), skipping torn or foreign lines."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8", errors="replace") as outbox:
            for number, line in enumerate(outbox, start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    entry = None
                if not isinstance(entry, dict):
                    log.warning(
                        "outbox %s line %d is not a whole message: skipped", self.path, number
                    )
                    continue
                yield entry

    def _already_written(self, notification_id: str) -> bool:
        """Whether a recent write had this id; the file's tail is read once per process, so a
        retry after a crash is not doubled either."""
        if self._ids is None:
            self._ids = OrderedDict()
            for entry in self._entries():
                self._remember(str(entry.get("notification_id", "")))
        if notification_id in self._ids:
            self._ids.move_to_end(notification_id)
            return True
        return False

    def _remember(self, notification_id: str) -> None:
        assert self._ids is not None
        self._ids[notification_id] = None
        self._ids.move_to_end(notification_id)
        while len(self._ids) > self.remember:
            self._ids.popitem(last=False)


def _line_break_if_torn(outbox: Any) -> bytes:
    """A newline when the file ends mid-line (a write cut short), so the next line is whole."""
    outbox.seek(0, os.SEEK_END)
    if outbox.tell() == 0:
        return b""
    outbox.seek(-1, os.SEEK_END)
    return b"" if outbox.read(1) == b"\n" else b"\n"
