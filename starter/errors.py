"""Every failure an operator can meet, as one readable line (the CLI prints it after `error:`).

Tracebacks help the people who wrote the code, not the responder at 3 a.m.: each known failure
gets a sentence that says what happened and, where there is one, what to do about it.
"""

from __future__ import annotations

from pydantic import ValidationError
from temporalio.client import (
    RPCTimeoutOrCancelledError,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.service import RPCError, RPCStatusCode

from escalation.commands import describe_validation_error
from escalation.policy_loader import PolicyInvalid


class NoAnswer(TimeoutError):
    """The incident did not answer in time: usually no worker is polling its task queue."""


def explain(error: BaseException) -> str:
    """One line for any error: known ones in the operator's words, others by type and text."""
    match error:
        case PolicyInvalid():
            return error.one_line()
        case ValidationError():
            return describe_validation_error(error)
        case WorkflowUpdateFailedError():
            cause = error.cause
            return getattr(cause, "message", None) or str(cause or error)
        case WorkflowQueryRejectedError():
            return f"the incident rejected the query (workflow status {error.status})"
        case WorkflowQueryFailedError():
            return f"the status query failed: {error.message}"
        case RPCTimeoutOrCancelledError():
            return (
                "no answer in time: is a worker running (`escalation worker`)? "
                "A verb sent meanwhile still applies once a worker picks it up"
            )
        case RPCError():
            return _rpc_error(error)
        case OSError(strerror=str(reason)):  # writing the output to a full disk, say
            return reason + (f": {error.filename}" if error.filename else "")
        case _:
            return _one_line(str(error)) or type(error).__name__


def _rpc_error(error: RPCError) -> str:
    if error.status == RPCStatusCode.UNAVAILABLE:
        return f"Temporal is unavailable: {_one_line(error.message)}"
    if error.status == RPCStatusCode.FAILED_PRECONDITION and "no poller" in error.message:
        return "no worker is polling the incident's task queue: start one with `escalation worker`"
    if error.status == RPCStatusCode.DEADLINE_EXCEEDED:
        return "no answer in time: is a worker running (`escalation worker`)?"
    name = error.status.name.lower().replace("_", " ") if error.status else "error"
    return f"Temporal said {name}: {_one_line(error.message)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
