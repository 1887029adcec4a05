"""The per-number reply-code registry's recorded story (kept apart: it drives no incident)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from escalation.sms_codes import (
    ALLOCATE_UPDATE,
    BOOK_QUERY,
    NOTE_REPLY_UPDATE,
    REGISTRY_WORKFLOW,
    RELEASE_SIGNAL,
    AllocateCode,
    NoteReply,
    RegistryStart,
    ReplyCodeBook,
    registry_workflow_id,
)
from tests.polling import poll

if TYPE_CHECKING:
    from tests.replay.scenarios import Stage

PHONE = "+15555550123"


async def reply_codes_book(stage: Stage) -> list[str]:
    """Two incidents get codes 1 and 2, a passive reply is counted and an action resets it, the
    first incident's code is released (and reused by a third), a malformed release is recorded,
    and the book is carried across a continue-as-new."""
    worker = stage.worker
    workflow_id = registry_workflow_id(PHONE, worker.task_queue)
    handle = await worker.client.start_workflow(
        REGISTRY_WORKFLOW,
        RegistryStart(phone=PHONE, history_limit=20),
        id=workflow_id,
        task_queue=worker.task_queue,
    )
    worker.track(workflow_id)
    for incident in ("incident-replay-1", "incident-replay-2"):
        await handle.execute_update(ALLOCATE_UPDATE, AllocateCode(incident_id=incident))
    await handle.execute_update(NOTE_REPLY_UPDATE, NoteReply(kind="passive"))
    await handle.execute_update(NOTE_REPLY_UPDATE, NoteReply(kind="action"))
    await handle.signal(RELEASE_SIGNAL, {"incident_ids": ["incident-replay-1"]})
    await handle.signal(RELEASE_SIGNAL, "not an object")
    reused = await handle.execute_update(
        ALLOCATE_UPDATE, AllocateCode(incident_id="incident-replay-3"), result_type=int
    )
    assert reused == 1
    for n in range(4, 9):  # past the history limit: the next run carries the book
        await handle.execute_update(ALLOCATE_UPDATE, AllocateCode(incident_id=f"incident-r-{n}"))

    async def latest_run() -> tuple[str, int]:
        """The current run's id and the book it holds (a query: its first task has run)."""
        latest = worker.client.get_workflow_handle(workflow_id)
        book = await latest.query(BOOK_QUERY, result_type=ReplyCodeBook)
        return (await latest.describe()).run_id or "", len(book.assignments)

    carried = await poll(
        latest_run, lambda run: run[0] != handle.first_execution_run_id, "continued as new", 30
    )
    assert carried[1] == 7  # codes 1 (reused), 2 and 3 to 7
    return [workflow_id]
