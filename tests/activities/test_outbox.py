"""The outbox survives a torn line and remembers a bounded number of ids, retries still once."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from activities.outbox import Outbox
from escalation.messages import RenderedMessage


def message(notification_id: str) -> RenderedMessage:
    return RenderedMessage(
        notification_id=notification_id,
        channel="email",
        to="alice@example.com",
        subject="[critical] You are paged",
        text="checkout failing",
        incident_id="incident-t",
    )


def ids(outbox: Outbox) -> list[str]:
    return [str(line["notification_id"]) for line in outbox.read()]


def test_a_torn_line_is_skipped_and_the_outbox_keeps_working(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "outbox.jsonl"
    Outbox(path).write(message("incident-t/n1"))
    with path.open("a", encoding="utf-8") as torn:
        torn.write('{"notification_id": "incident-t/n2", "to": "al')  # the crash, mid-write

    after_restart = Outbox(path)
    with caplog.at_level(logging.WARNING, logger="activities.outbox"):
        after_restart.write(message("incident-t/n3"))
        after_restart.write(message("incident-t/n1"))  # a retry of a message written before

    assert ids(after_restart) == ["incident-t/n1", "incident-t/n3"]
    assert "line 2 is not a whole message: skipped" in caplog.text


def test_memory_of_ids_is_bounded_and_recent_retries_are_written_once(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.jsonl", remember=3)
    for number in range(1, 8):
        outbox.write(message(f"incident-t/n{number}"))
    outbox.write(message("incident-t/n7"))
    outbox.write(message("incident-t/n5"))

    assert outbox.remembered == 3
    assert ids(outbox) == [f"incident-t/n{number}" for number in range(1, 8)]


def test_a_new_process_remembers_the_tail_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    first = Outbox(path, remember=3)
    for number in range(1, 6):
        first.write(message(f"incident-t/n{number}"))

    second = Outbox(path, remember=3)
    second.write(message("incident-t/n4"))  # the retry of a message the crashed worker wrote

    assert second.remembered == 3
    assert ids(second).count("incident-t/n4") == 1
