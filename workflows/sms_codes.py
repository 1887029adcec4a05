"""SmsReplyCodesWorkflow: the reply codes of one phone number, shared by every incident.

Allocation is an update (the delivery activity calls it with update-with-start, so the caller
hears the code and two pages to one number can never get the same one: updates run one at a
time here). Releases arrive as a signal. The book is small, so the run continues as new with it
long before its history is.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from escalation.contract import INCIDENT_PREFIX
    from escalation.sms_codes import (
        ALLOCATE_UPDATE,
        BOOK_QUERY,
        NOTE_REPLY_UPDATE,
        REGISTRY_WORKFLOW,
        RELEASE_SIGNAL,
        AllocateCode,
        NoteReply,
        RegistryStart,
        ReleaseCodes,
        ReplyCodeBook,
    )
    from workflows.history_handover import history_past


@workflow.defn(name=REGISTRY_WORKFLOW)
class SmsReplyCodesWorkflow:
    """Holds the book; never ends on its own (codes must outlive any one incident)."""

    @workflow.init
    def __init__(self, start: RegistryStart) -> None:
        self._book = start.book or ReplyCodeBook(phone=start.phone)
        self._rejected: list[str] = []

    @workflow.run
    async def run(self, start: RegistryStart) -> None:
        await workflow.wait_condition(lambda: history_past(start.history_limit))
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(
            RegistryStart(phone=start.phone, book=self._book, history_limit=start.history_limit)
        )

    @workflow.update(name=ALLOCATE_UPDATE)
    def allocate(self, request: AllocateCode) -> int:
        """The incident's code, freeing the closed incidents the caller found first."""
        self._book.release(request.release)
        return self._book.allocate(request.incident_id)

    @allocate.validator
    def _validate_allocate(self, request: AllocateCode) -> None:
        """Codes name incidents only: anything else would answer replies with nonsense."""
        for incident_id in (request.incident_id, *request.release):
            if not incident_id.startswith(INCIDENT_PREFIX):
                raise ValueError(f"{incident_id[:80]!r} is not an incident workflow id")

    @workflow.update(name=NOTE_REPLY_UPDATE)
    def note_reply(self, reply: NoteReply) -> int:
        """Passive replies so far (the API stops answering past the cap); an action resets it."""
        if reply.kind == "action":
            self._book.passive_replies = 0
        else:
            self._book.passive_replies += 1
        return self._book.passive_replies

    @workflow.signal(name=RELEASE_SIGNAL)
    def release(self, payload: Any) -> None:
        """Tolerant: a malformed release is recorded, never raised."""
        try:
            request = ReleaseCodes.model_validate(payload)
        except ValidationError as error:
            self._rejected.append(f"release: {error.errors()[0]['msg']}"[:200])
            return
        self._book.release(request.incident_ids)

    @workflow.query(name=BOOK_QUERY)
    def book(self) -> ReplyCodeBook:
        return self._book

    @workflow.query(name="rejected")
    def rejected(self) -> list[str]:
        """Malformed signals, newest last (kept for the operator, not acted on)."""
        return self._rejected[-20:]
