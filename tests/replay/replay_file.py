"""Replay one saved history in a process of its own: `python -m tests.replay.replay_file PATH`.

A fresh process is another worker picking the incident up after a crash or a deploy: objects sit
at other memory addresses, so anything the workflow does in memory order (iterating over a set of
tasks) comes out in another order here. Exits 0 when the history replays, 1 with the failure.

`--reverse-page-cancellation` calls paging off in the reverse of the order the pages started: the
harness's proof that a different cancellation order is caught (see test_page_cancel_order).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from wiring.temporal import DATA_CONVERTER, workflow_runner
from workflows.incident import IncidentWorkflow
from workflows.review import PostIncidentReviewWorkflow
from workflows.throttle import ContactThrottleWorkflow


def _cancel_pages_in_reverse(self: IncidentWorkflow) -> None:
    for task in reversed(list(self._pages)):
        task.cancel()


async def replay(path: Path, workflow_id: str | None = None) -> str | None:
    """The replay failure, or None. Unsandboxed, as production workers run. The workflow id is
    read from the history unless given (the time-skipping server does not record it)."""
    text = path.read_text(encoding="utf-8")  # noqa: ASYNC240 (one small file, nothing else runs)
    started = json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"]
    history = WorkflowHistory.from_json(workflow_id or started["workflowId"], text)
    replayer = Replayer(
        workflows=[IncidentWorkflow, PostIncidentReviewWorkflow, ContactThrottleWorkflow],
        data_converter=DATA_CONVERTER,
        workflow_runner=workflow_runner("off"),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    return None if result.replay_failure is None else str(result.replay_failure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--workflow-id", help="when the history does not name it")
    parser.add_argument("--reverse-page-cancellation", action="store_true")
    args = parser.parse_args()
    if args.reverse_page_cancellation:
        IncidentWorkflow._stop_paging = _cancel_pages_in_reverse  # type: ignore[method-assign]
    failure = asyncio.run(replay(args.path, args.workflow_id))
    if failure:
        print(f"replay failed: {failure}")
        sys.exit(1)
    print("replayed")


if __name__ == "__main__":
    main()
