"""Cross-references of contracts and calendars: names a contract uses must exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from escalation.calendars import ALWAYS

if TYPE_CHECKING:
    from escalation.policy import Policy


def contract_errors(policy: Policy) -> Iterator[tuple[str, str]]:
    """Yield (key path, problem) for a reserved calendar name or a contract's unknown name."""
    if ALWAYS in policy.calendars:
        yield (
            f"calendars.{ALWAYS}",
            f"{ALWAYS} is built in (every hour); name this calendar otherwise",
        )
    for key, client in policy.clients.items():
        contract = client.contract
        if contract is None:
            continue
        if contract.calendar != ALWAYS and contract.calendar not in policy.calendars:
            choices = ", ".join([ALWAYS, *policy.calendars])
            yield (
                f"clients.{key}.contract.calendar",
                f"unknown calendar {contract.calendar!r} (one of: {choices})",
            )
        for severity in contract.severities:
            if severity not in policy.severities:
                choices = ", ".join(policy.severities)
                yield (
                    f"clients.{key}.contract.severities.{severity}",
                    f"unknown severity {severity!r} (one of: {choices})",
                )
