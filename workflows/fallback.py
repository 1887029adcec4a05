"""Fallback planning: after a channel fails for good, which untried channel may still reach the
person, judged from the domain facts the delivery activity states."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from escalation.contacts import Channel
    from escalation.engine import SYSTEM
    from escalation.messages import (
        OUR_BUG,
        PERMANENT_FAILURE,
        ProviderAnswer,
    )
    from workflows.metrics import fallback_planned

FALLBACK_ORDER: tuple[Channel, ...] = ("sms", "voice", "email")

UNUSABLE_NUMBER_CODES_OF_OLD_HISTORIES = frozenset({21211})
"""Only for failures recorded before activities stated `address_usable` (ProviderAnswer): there
the Twilio code alone told a number that cannot exist. Replay must decide as the workflow did
then; drop it with the histories that lack the fact (CONTRIBUTING.md, Removing an old path)."""


class PlansFallbacks:
    """Fallback planning of RecipientDelivery: the delivery provides `log`, `action` and
    `recipient`."""

    def _plan_fallback(
        self,
        failure: DeliveryFailure,
        channel: Channel,
        address: str,
        tried: list[Channel],
        planned: list[Channel],
    ) -> None:
        """After a failure for good, plan one untried channel that may still reach the person."""
        avoid = None if failure.address_still_usable else address
        fallback = next(iter(self._fallbacks(tried, failed_address=avoid)), None)
        if fallback is not None:
            detail = (
                f"{channel} to {self.recipient.name} failed ({failure.reason}); trying {fallback}"
            )
            name = self.recipient.name
            self.log.record(
                workflow.now(), "fallback", SYSTEM, detail, channel=channel, recipient=name
            )
            fallback_planned(channel, fallback)
            planned.append(fallback)

    def _fallbacks(self, tried: list[Channel], failed_address: str | None) -> list[Channel]:
        """Untried channels that reach the person at another address than the one that failed."""
        contact = self.recipient.contact
        return [
            channel
            for channel in FALLBACK_ORDER
            if channel not in tried
            and (address := contact.address_for(channel))
            and address != failed_address
        ]


@dataclass(frozen=True)
class DeliveryFailure:
    """Why a message did not go out, and whether its address may still work on another channel."""

    reason: str
    address_still_usable: bool

    @classmethod
    def of(cls, error: ActivityError) -> DeliveryFailure:
        """A permanent refusal that does not condemn the address (e.g. SMS STOP) keeps it usable;
        an exhausted retry (provider down) does not: try another provider's channel instead.
        A bug in our own code says nothing against the address: the next channel may use it."""
        cause = error.cause
        if not isinstance(cause, ApplicationError):
            return cls(str(cause or error), address_still_usable=False)
        if cause.type == OUR_BUG:
            return cls(cause.message, address_still_usable=True)
        answer = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
        usable = cause.type == PERMANENT_FAILURE and _address_usable(answer)
        return cls(cause.message, address_still_usable=usable)


def _address_usable(answer: ProviderAnswer) -> bool:
    """The activity's verdict on the address, or for old histories the one their code implied."""
    if "address_usable" in answer:
        return answer["address_usable"]
    return answer.get("code") not in UNUSABLE_NUMBER_CODES_OF_OLD_HISTORIES
