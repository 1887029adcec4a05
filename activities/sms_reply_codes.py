"""Reply codes from the client side: allocate one for a page, read a number's book, count replies.

Update-with-start reaches the number's registry whether or not it runs yet; workflows cannot
send updates, so the delivery activity (a plain `def` on the thread pool) asks through the
worker's own client on the worker's event loop (`ReplyCodes`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowExecutionStatus,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from escalation.contract import TASK_QUEUE
from escalation.sms_codes import (
    ALLOCATE_UPDATE,
    BOOK_QUERY,
    NOTE_REPLY_UPDATE,
    REGISTRY_WORKFLOW,
    AllocateCode,
    NoteReply,
    RegistryStart,
    ReplyCodeBook,
    registry_workflow_id,
)

log = logging.getLogger(__name__)

RESERVE_TIMEOUT = 2.0
"""Seconds a page waits for its code (a round trip of milliseconds; rendering has 3 s of the
attempt's timeout); past that it goes out with the CLI hint instead."""
QUERY_TIMEOUT = timedelta(seconds=10)
RELEASE_CHECKS = 10
"""Incidents checked for having ended per allocation, the least recently paged first: the cost
of a page stays flat however many codes a number holds, and the book shrinks from its old end."""


def _start(phone: str, task_queue: str) -> WithStartWorkflowOperation[None, None]:
    return WithStartWorkflowOperation(
        REGISTRY_WORKFLOW,
        RegistryStart(phone=phone),
        id=registry_workflow_id(phone, task_queue),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary=f"SMS reply codes for {phone}",
    )


async def read_book(client: Client, phone: str, task_queue: str = TASK_QUEUE) -> ReplyCodeBook:
    """The number's codes; an empty book when no page ever carried one."""
    handle = client.get_workflow_handle(registry_workflow_id(phone, task_queue))
    try:
        return await handle.query(BOOK_QUERY, result_type=ReplyCodeBook, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return ReplyCodeBook(phone=phone)
        raise


async def closed_incidents(client: Client, incident_ids: list[str]) -> list[str]:
    """Those of the incidents whose workflow has ended (closed, or gone from the namespace)."""

    async def ended(incident_id: str) -> bool:
        try:
            described = await client.get_workflow_handle(incident_id).describe()
        except RPCError as error:
            return error.status == RPCStatusCode.NOT_FOUND
        return described.status != WorkflowExecutionStatus.RUNNING

    verdicts = await asyncio.gather(*(ended(i) for i in incident_ids))
    return [i for i, done in zip(incident_ids, verdicts, strict=True) if done]


async def reserve_code(
    client: Client, phone: str, incident_id: str, task_queue: str = TASK_QUEUE
) -> int:
    """The incident's code on this number: the lowest free once ended incidents are freed."""
    book = await read_book(client, phone, task_queue)
    others = [a.incident_id for a in book.assignments if a.incident_id != incident_id]
    others = others[:RELEASE_CHECKS]
    request = AllocateCode(incident_id=incident_id, release=await closed_incidents(client, others))
    return await client.execute_update_with_start_workflow(
        ALLOCATE_UPDATE,
        request,
        start_workflow_operation=_start(phone, task_queue),
        result_type=int,
    )


async def note_reply(
    client: Client, phone: str, kind: NoteReply, task_queue: str = TASK_QUEUE
) -> int:
    """Count a passive reply (or reset the count after an action); the passive count now."""
    return await client.execute_update_with_start_workflow(
        NOTE_REPLY_UPDATE, kind, start_workflow_operation=_start(phone, task_queue), result_type=int
    )


class ReplyCodes:
    """Lets the blocking delivery activity allocate codes through the worker's async client."""

    def __init__(self, client: Client, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.client = client
        self.loop = loop or asyncio.get_running_loop()

    def reserve(self, phone: str, incident_id: str, task_queue: str) -> int | None:
        """The code, or None (the page goes out with the CLI hint) when the registry is out of
        reach: a reply code is a convenience, the page is not."""
        future = asyncio.run_coroutine_threadsafe(
            reserve_code(self.client, phone, incident_id, task_queue), self.loop
        )
        try:
            return future.result(timeout=RESERVE_TIMEOUT)
        except Exception as error:
            future.cancel()
            log.warning("no reply code for %s on %s: %s", incident_id, phone, error)
            return None
