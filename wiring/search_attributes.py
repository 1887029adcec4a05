"""The incident search attributes on the worker's namespace: checked, registered, or refused.

An incident's first workflow task upserts every attribute in `ALL_KEYS`. On a namespace that
lacks one (a cluster set up by an earlier release, before `IncidentBreached`), that task fails
and is retried forever: the incident never pages, and the only sign is a warning from the SDK's
core. So the worker checks before it polls: what is missing it registers where the server lets
it (the dev server, a self-hosted cluster's operator API), and otherwise it refuses to start
with the command that fixes it. `escalation setup` runs the same registration on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeIndexedValueType, SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode

from workflows.search_attributes import ALL_KEYS


class SearchAttributesUnusable(Exception):
    """The namespace lacks an incident attribute we may not add, or has one of the wrong type."""


def type_name(key: SearchAttributeKey) -> str:
    """`Keyword`, `Int`, `KeywordList`: how the `temporal` CLI and the dev server spell types."""
    return "".join(part.title() for part in key.indexed_value_type.name.split("_"))


async def register_search_attributes(client: Client) -> list[str]:
    """Add the attributes the namespace lacks; the names added (empty when all exist).

    Raises SearchAttributesUnusable when one exists with another type, or when the server
    refuses to add one (no permission, Temporal Cloud, a per-type limit). The time-skipping test
    server cannot list attributes: there all are added, which it accepts again and again.
    """
    existing = await _existing_attributes(client) or {}
    wrong = [key for key in ALL_KEYS if key.name in existing and existing[key.name] != _kind(key)]
    if wrong:
        raise wrong_type(client.namespace, wrong, existing)
    missing = [key for key in ALL_KEYS if key.name not in existing]
    if missing:
        request = AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={key.name: _kind(key) for key in missing},
        )
        try:
            await client.operator_service.add_search_attributes(request)
        except RPCError as error:
            raise refused(client.namespace, missing, error) from None
    return sorted(key.name for key in missing)


def refused(
    namespace: str, missing: Sequence[SearchAttributeKey], error: RPCError
) -> SearchAttributesUnusable:
    """The one line for attributes the server would not let us add, with the fix."""
    names = ", ".join(f"{key.name} ({type_name(key)})" for key in missing)
    by_type: dict[str, list[str]] = {}
    for key in missing:
        by_type.setdefault(type_name(key), []).append(f"--name {key.name}")
    fix = " && ".join(
        f"temporal operator search-attribute create --namespace {namespace} "
        f"{' '.join(names)} --type {kind}"
        for kind, names in by_type.items()
    )
    plural, them = ("s", "them") if len(missing) != 1 else ("", "it")
    return SearchAttributesUnusable(
        f"namespace {namespace!r} lacks the search attribute{plural} {names} and the server "
        f"refused to add {them} ({_status(error)}: {' '.join(error.message.split())}); without {them} "
        f"no new incident can start. Register {them} with `escalation setup` as an identity "
        f"allowed to, or `{fix}` (on Temporal Cloud, in the namespace's settings or with tcld), "
        "then start the worker again"
    )


def wrong_type(
    namespace: str,
    wrong: Sequence[SearchAttributeKey],
    existing: dict[str, IndexedValueType.ValueType],
) -> SearchAttributesUnusable:
    """The one line for attributes registered with another type than incidents write."""
    found = "; ".join(
        f"{key.name} is {_type_of(existing[key.name])}, incidents write {type_name(key)}"
        for key in wrong
    )
    removes = " ".join(f"--name {key.name}" for key in wrong)
    return SearchAttributesUnusable(
        f"namespace {namespace!r} has incident search attributes of the wrong type ({found}): "
        f"remove them (`temporal operator search-attribute remove --namespace {namespace} "
        f"{removes}`) and start the worker again, which registers them right"
    )


def _status(error: RPCError) -> str:
    return error.status.name.lower().replace("_", " ") if error.status else "error"


def _kind(key: SearchAttributeKey) -> IndexedValueType.ValueType:
    return IndexedValueType.ValueType(SearchAttributeIndexedValueType(key.indexed_value_type).value)


def _type_of(kind: IndexedValueType.ValueType) -> str:
    try:
        name = SearchAttributeIndexedValueType(kind).name
    except ValueError:
        return f"type {kind}"
    return "".join(part.title() for part in name.split("_"))


async def _existing_attributes(client: Client) -> dict[str, IndexedValueType.ValueType] | None:
    """Name to type of every attribute on the namespace; None where the server cannot list."""
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
    except RPCError as error:
        if error.status == RPCStatusCode.UNIMPLEMENTED:
            return None
        raise SearchAttributesUnusable(
            f"cannot check the incident search attributes on namespace {client.namespace!r} "
            f"({_status(error)}: {' '.join(error.message.split())})"
        ) from None
    return dict(existing.system_attributes) | dict(existing.custom_attributes)
