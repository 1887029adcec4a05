"""The `act_by_link` update: a verb from a signed email link, accepted once per token.

An update rather than a signal: the person who followed the link is shown what happened, and a
refused link ("already used", "already acknowledged by bob") writes nothing to history. Old
incidents never received one (an update without a handler is rejected and not recorded), so
adding it needs no patch.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from escalation import verb_refusals
    from escalation.commands import describe_validation_error
    from escalation.contract import CommandResult
    from escalation.link_actions import (
        ACT_BY_LINK,
        EXAMPLE,
        LinkAction,
        link_command,
        link_refusal,
    )
    from workflows.failures import Refusal
    from workflows.verb_handlers import refuse

DESCRIPTION = (
    "Sent by the HTTP service for a signed email link (acknowledge or escalate); each link acts "
    f"once. Example: {EXAMPLE}"
)


def _checked(incident: Any, payload: Any) -> LinkAction:
    """The link's action if the incident can take it now; ValueError with the reason if not."""
    try:
        action = LinkAction.model_validate(payload)
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None
    if incident._state is None:
        return action
    reason = link_refusal(incident.state, action) or verb_refusals.refusal(
        incident._policy, incident.state, link_command(action)
    )
    if reason:
        raise ValueError(reason)
    return action


def link_action_update() -> Any:
    """The update handler, with its validator, for the workflow class body."""

    async def act_by_link(self: Any, payload: Any = None) -> CommandResult:
        await workflow.wait_condition(lambda: self._state is not None)
        try:
            action = _checked(self, payload)
        except ValueError as error:  # another update applied first in this task, or too early
            raise refuse(ACT_BY_LINK, error) from None
        self.state.link_tokens_used.append(action.token_id)
        return self._apply(action.verb, link_command(action))

    def validate(self: Any, payload: Any = None) -> None:
        try:
            _checked(self, payload)
        except ValueError as error:
            raise Refusal(f"{ACT_BY_LINK}: {error}") from None

    handler = workflow.update(name=ACT_BY_LINK, description=DESCRIPTION)(act_by_link)
    handler.validator(validate)
    return handler
