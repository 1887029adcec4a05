"""What a client notice says, as plain facts: the one variable (`notice`) its templates see.

The house templates and a client's brand overrides render from the same facts, so an override
checked against a sample notice when the policy loads renders for every real one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from escalation.actions import MessageFacts
from escalation.brands import Brand
from escalation.incident import Resolution

CLIENT_STATUS: dict[str, str] = {
    "triggered": "Investigating",
    "acknowledged": "Identified",
    "resolved": "Resolved",
    "closed": "Resolved",
}
"""Incident status as a status page words it: clients read these, not our internal states."""

NOTICE_HEADLINES: dict[str, str] = {
    "client_opened": "We are investigating an incident",
    "client_update": "Incident update",
    "client_resolved": "Incident resolved",
}

WHAT_WE_DO: dict[str, str] = {
    "Investigating": "Our engineers have been alerted and are investigating the cause.",
    "Identified": "An engineer has taken ownership and is working on a fix.",
    "Resolved": "The incident is resolved and the service is operating normally.",
}
"""What is being done, when the responders wrote nothing for the client."""


class ClientNotice(BaseModel):
    """One notice to one client: who it is for, what happened, what comes next, whom to ask."""

    purpose: str
    headline: str
    client: str
    provider: str | None
    reference: str
    affected: str
    status: str
    opened_at: datetime
    doing: str
    expected_resolution: datetime | None
    next_update: datetime | None
    contact: str | None
    signature: str | None
    resolution: Resolution | None = None
    missed: list[str] = []
    """This client's contract targets missed so far, in words it reads (never another's)."""

    def at(self, moment: datetime | None) -> str:
        """A moment as every client reads it: `Wed 2 Dec 2026, 14:30 UTC`."""
        if moment is None:
            return "-"
        utc = moment.astimezone(UTC)
        return f"{utc:%a} {utc.day} {utc:%b %Y, %H:%M} UTC"


def client_notice(
    purpose: str, facts: MessageFacts, client: str, brand: Brand | None
) -> ClientNotice:
    """The notice for a client message, from the facts frozen when it was decided."""
    status = CLIENT_STATUS.get(facts.status, facts.status)
    resolved = status == "Resolved"
    return ClientNotice(
        purpose=purpose,
        headline=NOTICE_HEADLINES.get(purpose, "Incident update"),
        client=client,
        provider=brand.provider_name if brand else None,
        reference=facts.incident_id,
        affected=facts.title,
        status=status,
        opened_at=facts.opened_at,
        doing=facts.text or WHAT_WE_DO.get(status, ""),
        expected_resolution=None if resolved else (facts.eta or facts.resolve_due),
        next_update=None if resolved else facts.next_update_due,
        contact=(brand.reply_to or brand.sender_email) if brand else None,
        signature=brand.signature if brand else None,
        resolution=facts.resolution,
        missed=facts.client_breaches.get(client, []),
    )


SAMPLE_FACTS = MessageFacts(
    incident_id="incident-sample",
    title="Checkout unavailable",
    service="payments",
    severity="critical",
    status="acknowledged",
    tier_name="Tier 1",
    opened_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
    ack_due=datetime(2026, 1, 5, 9, 15, tzinfo=UTC),
    resolve_due=datetime(2026, 1, 5, 13, tzinfo=UTC),
    text="We have found the cause.",
    next_update_due=datetime(2026, 1, 5, 10, tzinfo=UTC),
    resolution=Resolution(
        cause="A full disk", resolution="Space freed", preventive_measures=["Alert"]
    ),
)
"""Facts a brand's templates are rendered with when the policy loads, to prove they render."""
