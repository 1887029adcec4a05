"""How an operator's refused verb leaves the worker: the reason, without the worker's stack trace.

The Temporal UI shows a failure's stack trace under its message. For a refusal ("acknowledge:
already resolved by alice") the trace of the workflow code that said no is noise to an operator.
Failures of anything else keep their trace.
"""

from __future__ import annotations

REFUSED = "RefusedCommand"
"""ApplicationError type of a verb refused inside its update handler."""


class Refusal(ValueError):
    """An update's validator saying no; the message is the whole reason."""
