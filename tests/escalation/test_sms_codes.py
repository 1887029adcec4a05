"""Reply codes on one number: lowest free, kept per incident, newest page last; what a reply says."""

from __future__ import annotations

import pytest

from escalation.sms_codes import ReplyCodeBook, parse_reply, registry_workflow_id


def test_codes_are_the_lowest_free_and_stay_with_their_incident() -> None:
    book = ReplyCodeBook(phone="+15555550101")
    assert [book.allocate(i) for i in ("incident-a", "incident-b", "incident-c")] == [1, 2, 3]
    book.release(["incident-a"])
    assert book.allocate("incident-d") == 1
    assert book.allocate("incident-b") == 2  # a second page keeps the code...
    assert book.incident_of(None) == "incident-b"  # ...and is now the newest
    assert (book.incident_of(3), book.incident_of(9)) == ("incident-c", None)


@pytest.mark.parametrize(
    ("body", "code", "verb"),
    [
        ("12a", 12, "acknowledge"),
        (" 12 A ", 12, "acknowledge"),
        ("3e", 3, "escalate"),
        ("a", None, "acknowledge"),
        ("E.", None, "escalate"),
        ("2 ack", 2, "acknowledge"),
    ],
)
def test_replies_name_a_verb_and_maybe_a_code(body: str, code: int | None, verb: str) -> None:
    reply = parse_reply(body)
    assert reply is not None
    assert (reply.code, reply.verb) == (code, verb)


@pytest.mark.parametrize(
    "body", ["", "help", "12", "12x", "acknowledge it", "12a please", "99999a"]
)
def test_anything_else_is_not_a_verb(body: str) -> None:
    assert parse_reply(body) is None


def test_a_test_queue_gets_its_own_registry() -> None:
    assert registry_workflow_id("+15555550101") == "sms-codes-+15555550101"
    assert registry_workflow_id("+15555550101", "q1") == "sms-codes-q1-+15555550101"
