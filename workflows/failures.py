"""How an operator's refused verb leaves the worker: the reason, without the worker's stack trace.

The Temporal UI shows a failure's stack trace under its message. For a refusal ("acknowledge:
already resolved by alice") the trace of the workflow code that said no is noise to an operator.
Failures of anything else keep their trace.
"""

from __future__ import annotations

import dataclasses

from temporalio.api.failure.v1 import Failure
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverter, PayloadConverter
from temporalio.exceptions import ApplicationError

REFUSED = "RefusedCommand"
"""ApplicationError type of a verb refused inside its update handler."""


class Refusal(ValueError):
    """An update's validator saying no; the message is the whole reason."""


class OperatorFailureConverter(DefaultFailureConverter):
    """The default converter, minus the stack trace of refusals."""

    def to_failure(
        self, exception: BaseException, payload_converter: PayloadConverter, failure: Failure
    ) -> None:
        super().to_failure(exception, payload_converter, failure)
        refused = isinstance(exception, Refusal) or (
            isinstance(exception, ApplicationError) and exception.type == REFUSED
        )
        if refused:
            failure.stack_trace = ""


DATA_CONVERTER: DataConverter = dataclasses.replace(
    pydantic_data_converter, failure_converter_class=OperatorFailureConverter
)
"""Pydantic payloads (Temporal's own converter) and refusals without traces: every client uses it."""
