"""Code changes never break incidents in flight: every recorded history replays on today's code.

A workflow change that running incidents would see differently (a new timer, activity, child or
search-attribute upsert, or one in another order) fails here with a nondeterminism error until it
goes behind `workflow.patched()`. See CONTRIBUTING.md for how to change workflow code.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from escalation.commands import VERBS
from escalation.review import REVIEW_EXAMPLES
from wiring.temporal import workflow_runner
from worker.runner import WORKFLOWS
from workflows.patches import (
    ADOPTED,
    LEAN_HISTORY,
    RECEIPT_AWAITS_ITS_MESSAGE,
    REJECTIONS_SAMPLED,
    REOPEN_RESTARTS_CLIENT_CLOCKS,
    REVIEW_LOG_BUDGET,
)

HISTORIES = Path(__file__).resolve().parent / "histories"
RECORDED = sorted([*HISTORIES.glob("*/*.json"), *HISTORIES.glob("*/*.json.gz")])


def text_of(path: Path) -> str:
    """A recorded history's JSON; the large ones are stored gzipped."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def load(path: Path) -> WorkflowHistory:
    """The history under its own workflow id: notification ids are derived from it."""
    text = text_of(path)
    started = json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"]
    return WorkflowHistory.from_json(started["workflowId"], text)


def events(path: Path) -> Iterator[dict]:
    yield from json.loads(text_of(path))["events"]


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: f"{p.parent.name}/{p.name.split('.')[0]}")
async def test_recorded_history_replays_on_todays_code(path: Path) -> None:
    """`debug_mode` turns off only the SDK's 2 s deadlock detector: this judges determinism, not
    speed, and on a loaded machine one activation of the 5,000-event flood can pass 2 s, after
    which the Replayer waits for the interrupted activation forever (seen once: a hung suite)."""
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner("strict"),
        debug_mode=True,
    )
    result = await replayer.replay_workflow(load(path), raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


def test_the_recordings_cover_every_verb_state_and_escalation() -> None:
    """The set of stories cannot quietly shrink: each verb is in some history as a signal and
    as an update, and so is every status and each kind of escalation."""
    signals, updates, statuses, timeline_kinds = set(), set(), set(), set()
    failure_types, patches, workflow_types = set(), set(), set()
    for path in RECORDED:
        for event in events(path):
            attributes = event.get("workflowExecutionStartedEventAttributes")
            if attributes:
                workflow_types.add(attributes["workflowType"]["name"])
            attributes = event.get("activityTaskFailedEventAttributes")
            if attributes:
                failure_types.add(attributes["failure"]["applicationFailureInfo"]["type"])
            attributes = event.get("markerRecordedEventAttributes")
            if attributes and attributes["markerName"] == "core_patch":
                patches.add(_decoded(attributes["details"]["patch-data"]["payloads"][0])["id"])
            attributes = event.get("workflowExecutionSignaledEventAttributes")
            if attributes:
                signals.add(attributes["signalName"])
            attributes = event.get("workflowExecutionUpdateAcceptedEventAttributes")
            if attributes:
                updates.add(attributes["acceptedRequest"]["input"]["name"])
            attributes = event.get("upsertWorkflowSearchAttributesEventAttributes")
            if attributes:
                fields = attributes["searchAttributes"]["indexedFields"]
                if "IncidentStatus" in fields:  # (a patch upserts TemporalChangeVersion alone)
                    statuses.add(_decoded(fields["IncidentStatus"]))
            timeline_kinds |= _timeline_kinds(event)
    assert {
        workflow.__temporal_workflow_definition.name for workflow in WORKFLOWS
    } <= workflow_types
    operator_verbs = set(VERBS) | set(REVIEW_EXAMPLES)
    assert operator_verbs - signals == set()
    assert operator_verbs - updates == set()
    assert {"delivery_receipt"} <= signals and {"act_by_link"} <= updates
    assert {"triggered", "acknowledged", "resolved", "closed"} <= statuses
    assert {
        "paged",
        "escalated",
        "consulted",
        "sla_warning",
        "sla_breach",
        "client_update",
        "rejected",
        "reopened",
        "severity_changed",
        "sla_reset",
        "reminder",
        "review_started",
        "review_completed",
    } <= timeline_kinds
    assert "PermanentDeliveryFailure" in failure_types  # a refused channel, then its fallback
    # newer code paths are recorded too
    newer = {
        LEAN_HISTORY,
        RECEIPT_AWAITS_ITS_MESSAGE,
        REJECTIONS_SAMPLED,
        REVIEW_LOG_BUDGET,
        REOPEN_RESTARTS_CLIENT_CLOCKS,
    }
    assert ADOPTED | newer <= patches


def _decoded(payload: dict) -> Any:
    return json.loads(base64.b64decode(payload["data"]))


def _timeline_kinds(event: dict) -> set[str]:
    """Timeline entry kinds in a completed workflow's result (its final IncidentState)."""
    attributes = event.get("workflowExecutionCompletedEventAttributes")
    if not attributes:
        return set()
    kinds: set[str] = set()
    for payload in attributes["result"]["payloads"]:
        result = _decoded(payload)
        if isinstance(result, dict):
            kinds |= {entry["kind"] for entry in result.get("timeline", [])}
    return kinds
