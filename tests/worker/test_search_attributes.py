"""Upgrading onto a namespace set up by an older release: the worker registers what incidents
need, or refuses to start with the fix; it never polls while every new incident would wedge.

The previous release registered four attributes, not `IncidentBreached`. On such a namespace an
incident's first workflow task fails and is retried forever, and nobody is paged.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode

from tests.polling import poll
from tests.processes import WorkerProcess, dev_stack, escalation, outbox_lines
from wiring.search_attributes import refused
from workflows.search_attributes import ALL_KEYS, INCIDENT_BREACHED

OLDER_RELEASE = tuple(key for key in ALL_KEYS if key is not INCIDENT_BREACHED)
BOOL_LIMIT_FILLERS = tuple(SearchAttributeKey.for_bool(f"TeamFlag{n}") for n in range(1, 4))
"""The dev server's SQLite visibility holds three custom Bool attributes: with these three
taken, the server refuses to add `IncidentBreached`, as a cluster refuses a worker without rights."""
REFUSAL_FIX = (
    "temporal operator search-attribute create --namespace default "
    "--name IncidentBreached --type Bool"
)


async def exit_of(worker: WorkerProcess) -> tuple[int, str]:
    code = await asyncio.wait_for(worker.process.wait(), 60)
    return code, worker.log()


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("error: ")]


@pytest.mark.e2e
async def test_the_worker_registers_a_missing_attribute_and_the_incident_pages(
    tmp_path: Path,
) -> None:
    async with dev_stack(tmp_path, search_attributes=OLDER_RELEASE) as stack:
        worker = await WorkerProcess.start(stack)
        await worker.wait_until_polling()
        assert "registered search attributes on 'default': IncidentBreached" in worker.log()
        listed = await stack.client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace="default")
        )
        assert (
            listed.custom_attributes["IncidentBreached"] == IndexedValueType.INDEXED_VALUE_TYPE_BOOL
        )

        key = f"upgrade-{uuid.uuid4().hex[:8]}"
        opened = await escalation(
            stack, "open", "--title", "checkout failing", "--service", "payments",
            "--severity", "critical", "--dedup-key", key, "--json",
        )  # fmt: skip
        assert opened.code == 0, opened.stderr
        workflow_id = json.loads(opened.stdout)["workflow_id"]
        await poll(
            lambda: asyncio.to_thread(outbox_lines, stack),
            lambda lines: any(is_page(line, workflow_id) for line in lines),
            "the first page in the outbox",
        )


def is_page(line: dict[str, str], workflow_id: str) -> bool:
    return line["notification_id"].startswith(f"{workflow_id}/") and "You are paged" in (
        line["subject"] + line["text"]
    )


@pytest.mark.e2e
async def test_a_worker_the_server_will_not_let_register_refuses_to_start(
    tmp_path: Path,
) -> None:
    async with dev_stack(tmp_path, search_attributes=OLDER_RELEASE + BOOL_LIMIT_FILLERS) as stack:
        code, log = await exit_of(await WorkerProcess.start(stack))
    assert code == 1
    assert "Traceback" not in log
    [line] = error_lines(log)
    assert line.startswith(
        "error: namespace 'default' lacks the search attribute IncidentBreached (Bool) and the "
        "server refused to add it (invalid argument: "
    )
    assert REFUSAL_FIX in line
    assert "worker polling" not in log


@pytest.mark.e2e
async def test_an_attribute_of_the_wrong_type_is_a_one_line_refusal(tmp_path: Path) -> None:
    wrong = (*OLDER_RELEASE, SearchAttributeKey.for_keyword("IncidentBreached"))
    async with dev_stack(tmp_path, search_attributes=wrong) as stack:
        code, log = await exit_of(await WorkerProcess.start(stack))
        setup = await escalation(stack, "setup")
    assert code == 1
    assert "Traceback" not in log
    [line] = error_lines(log)
    assert "IncidentBreached is Keyword, incidents write Bool" in line
    assert (
        "temporal operator search-attribute remove --namespace default --name IncidentBreached"
        in line
    )
    assert setup.code == 1 and "IncidentBreached is Keyword" in setup.stderr


def test_a_permission_refusal_names_each_missing_attribute_and_the_fix() -> None:
    """What Temporal Cloud or an authorizer answers a worker without operator rights."""
    denied = RPCError("Request unauthorized.", RPCStatusCode.PERMISSION_DENIED, b"")
    line = str(refused("payments-prod", [INCIDENT_BREACHED, ALL_KEYS[0]], denied))
    assert "\n" not in line
    assert line.startswith(
        "namespace 'payments-prod' lacks the search attributes IncidentBreached (Bool), "
        "IncidentStatus (Keyword) and the server refused to add them (permission denied: "
        "Request unauthorized.)"
    )
    assert "`escalation setup`" in line
    assert (
        "`temporal operator search-attribute create --namespace payments-prod "
        "--name IncidentBreached --type Bool && temporal operator search-attribute create "
        "--namespace payments-prod --name IncidentStatus --type Keyword`"
    ) in line
