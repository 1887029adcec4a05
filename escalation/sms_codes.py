"""SMS reply codes: which incident `12a` means for one phone number, and what a reply asks for.

GoAlert's pattern: each incident paged to a number gets the lowest code free on that number, so
replies stay short (`1a`, `2e`), and a code is free again once its incident has closed. `a` or
`e` alone acts on the newest page to the number. The book is the state of one registry workflow
per number (workflows/sms_codes.py); this module is pure so the API, the activity and the
workflow agree on it.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from escalation.contract import TASK_QUEUE

REGISTRY_WORKFLOW = "SmsReplyCodesWorkflow"
ALLOCATE_UPDATE = "allocate"
NOTE_REPLY_UPDATE = "note_reply"
RELEASE_SIGNAL = "release"
BOOK_QUERY = "book"

PASSIVE_REPLY_CAP = 5
"""Answers that act on nothing (help, an unknown code) sent to one number until an action
succeeds: a loop with another auto-responder must not cost unbounded SMS."""

ReplyVerb = Literal["acknowledge", "escalate"]
VERB_LETTERS: dict[str, ReplyVerb] = {
    "a": "acknowledge",
    "ack": "acknowledge",
    "e": "escalate",
    "esc": "escalate",
}
"""The letter the page suggests, and the word people type anyway."""
_REPLY = re.compile(r"^\s*(\d{0,4})\s*([a-z]+)\s*[.!]?\s*$", re.IGNORECASE)


class CodeAssignment(BaseModel):
    """One incident's code on this number."""

    code: int = Field(ge=1)
    incident_id: str = Field(min_length=1)


class ReplyCodeBook(BaseModel):
    """The codes held on one number, oldest page first (the last one is the newest page)."""

    phone: str
    assignments: list[CodeAssignment] = []
    passive_replies: int = 0

    def code_of(self, incident_id: str) -> int | None:
        return next((a.code for a in self.assignments if a.incident_id == incident_id), None)

    def incident_of(self, code: int | None) -> str | None:
        """The incident a code names; no code means the newest page."""
        if code is None:
            return self.assignments[-1].incident_id if self.assignments else None
        return next((a.incident_id for a in self.assignments if a.code == code), None)

    def allocate(self, incident_id: str) -> int:
        """The incident's code (kept if it has one), now the newest page; else the lowest free."""
        code = self.code_of(incident_id)
        if code is None:
            taken = {a.code for a in self.assignments}
            code = next(n for n in range(1, len(taken) + 2) if n not in taken)
        self.assignments = [a for a in self.assignments if a.incident_id != incident_id]
        self.assignments.append(CodeAssignment(code=code, incident_id=incident_id))
        return code

    def release(self, incident_ids: list[str]) -> None:
        """Closed incidents give their codes back."""
        self.assignments = [a for a in self.assignments if a.incident_id not in incident_ids]


HISTORY_LIMIT = 2_000
"""The registry continues as new past this many events (each allocation costs a few)."""


class RegistryStart(BaseModel):
    """A registry's number, and the book carried over from its previous run."""

    phone: str
    book: ReplyCodeBook | None = None
    history_limit: int = HISTORY_LIMIT


class AllocateCode(BaseModel):
    """The `allocate` update: a code for this incident; `release` frees closed incidents first."""

    model_config = ConfigDict(extra="forbid")

    incident_id: str = Field(min_length=1, max_length=300)
    release: list[str] = []


class NoteReply(BaseModel):
    """The `note_reply` update: an inbound reply acted (resets the cap) or was passive."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["action", "passive"]


class ReleaseCodes(BaseModel):
    """The `release` signal: these incidents have closed."""

    model_config = ConfigDict(extra="forbid")

    incident_ids: list[str] = Field(min_length=1)


class Reply(BaseModel):
    """What an inbound SMS asks: a verb, on the incident of `code` (None: the newest page)."""

    code: int | None
    verb: ReplyVerb


def parse_reply(body: str) -> Reply | None:
    """`12a`, `12 A`, `e`: a verb and maybe a code; None for anything else (help, chatter)."""
    match = _REPLY.match(body)
    if match is None or match.group(2).lower() not in VERB_LETTERS:
        return None
    digits = match.group(1)
    return Reply(code=int(digits) if digits else None, verb=VERB_LETTERS[match.group(2).lower()])


def registry_workflow_id(phone: str, task_queue: str = TASK_QUEUE) -> str:
    """`sms-codes-<E.164>`; a deployment on another task queue gets its own registries."""
    if task_queue != TASK_QUEUE:
        return f"sms-codes-{task_queue}-{phone}"
    return f"sms-codes-{phone}"
