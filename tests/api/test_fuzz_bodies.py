"""Arbitrary bodies at every intake endpoint: never a 500, and a refused body opens nothing.

Bodies are raw bytes, any JSON, or a documented payload with one field replaced by any JSON
or removed. Every 202 names its incident; at the end, the incidents on the test's task queue
are exactly those named (so no 4xx opened one). Hypothesis drives the async test as in
`tests/fuzz/__init__.py`: derandomized, so every run sends the same bodies.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st

from starter.listing import incidents_query, quote
from tests.api.conftest import KEYS, FrontDoorUnderTest
from tests.api.payloads import alertmanager_notification, grafana_notification, pagerduty_event
from tests.fuzz.support import fuzz_settings, json_values
from tests.polling import poll

ENDPOINTS = {
    "/v1/alerts": ("generic", {"title": "fuzzed", "dedup_key": "fuzz-generic"}),
    "/v1/integrations/alertmanager": ("prometheus", alertmanager_notification("fuzz-am")),
    "/v1/integrations/grafana": ("grafana", grafana_notification("fuzz-grafana")),
    "/v2/enqueue": (
        "pagerduty",
        pagerduty_event(KEYS["pagerduty"], "trigger", "fuzz-pd", component="fuzz-pd"),
    ),
}
"""Path -> (integration, a valid body to mutate)."""


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a JSON document (dict keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> bytes:
    """The document with one value replaced by any JSON, or removed."""
    document = copy.deepcopy(document)
    path = draw(st.sampled_from(paths(document)))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if draw(st.booleans()):
        parent[path[-1]] = draw(json_values)
    elif isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent.pop(path[-1])
    return json.dumps(document).encode()


def bodies(document: Any) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=64),
        json_values.map(lambda value: json.dumps(value).encode()),
        mutated(document),
    )


@pytest_asyncio.fixture
async def opened(front_door: FrontDoorUnderTest) -> AsyncIterator[set[str]]:
    """Incidents the 202s named, shared by every example; afterwards, the incidents on the
    test's task queue must be exactly these (a refused body opened none)."""
    named: set[str] = set()
    yield named
    query = f"{incidents_query()} AND TaskQueue = {quote(front_door.worker.task_queue)}"

    async def listed() -> set[str]:
        return {w.id async for w in front_door.client.list_workflows(query)}

    on_queue = await poll(listed, lambda ids: ids >= named, "incidents listed", every=0.5)
    assert on_queue == named


@pytest.mark.slow
@pytest.mark.parametrize("path", list(ENDPOINTS))
@fuzz_settings(60)
@given(data=st.data())
async def test_arbitrary_bodies(
    front_door: FrontDoorUnderTest, opened: set[str], path: str, data: st.DataObject
) -> None:
    integration, valid = ENDPOINTS[path]
    body = data.draw(bodies(valid))
    intake = front_door.service.server.config.app.state.intake
    sent_before = intake.coalescer.batches_sent
    response = await front_door.http.post(
        path,
        content=body,
        headers={**front_door.bearer(integration), "Content-Type": "application/json"},
    )
    assert response.status_code < 500, (response.status_code, response.text, body)
    answer = response.json()
    if response.status_code == 202:
        incidents = answer["incidents"] if "incidents" in answer else [answer["incident"]]
        opened.update(i["workflow_id"] for i in incidents if i["workflow_id"])
    else:
        assert answer["message"], answer
        assert intake.coalescer.batches_sent == sent_before, "a refused body reached Temporal"
