"""Every operator verb is a signal and an update of the same name; this builds the pair.

A workflow using it provides `_accept_signal(verb, payload)` (never raises: records rejections),
`_validate(verb, payload)` (raises Refusal with the reason) and `async _accept_update(verb,
payload)`. One line per verb in the workflow class then declares the whole contract.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.failures import REFUSED


def refuse(verb: str, reason: object) -> ApplicationError:
    """The failure of one update, never of the workflow task.

    A handler can still find a verb it must refuse after the validator let it through: it arrived
    before the incident opened, or another update applied first in the same workflow task. Any
    exception but an ApplicationError would fail the workflow task and wedge the update.
    """
    return ApplicationError(f"{verb}: {reason}", type=REFUSED, non_retryable=True)


def operator_verb(
    verb: str, what: str, examples: Mapping[str, str]
) -> tuple[Callable[..., None], Any]:
    """(signal handler, update handler with its validator) for `verb`, described for the UI: what
    it does, then a JSON argument to copy (`examples[verb]`)."""
    description = f"{what} Example: {examples[verb]}"

    def signal(self: Any, payload: Any = None) -> None:
        self._accept_signal(verb, payload)

    async def update(self: Any, payload: Any = None) -> Any:
        return await self._accept_update(verb, payload)

    def validate(self: Any, payload: Any = None) -> None:
        self._validate(verb, payload)

    signal.__name__ = signal.__qualname__ = f"{verb}_signal"
    update.__name__ = update.__qualname__ = verb
    update_handler = workflow.update(name=verb, description=description)(update)
    update_handler.validator(validate)
    return workflow.signal(name=verb, description=description)(signal), update_handler
