"""A client's brand: the name, sender and voice its incident messages go out under.

A white-label provider's clients must hear from the provider they signed with, not from the
service behind it. Messages to responders, management and stakeholders keep the house brand;
only the client's own notices (opening, update, resolution) wear this one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from escalation.contacts import EmailAddress

ClientTemplate = Literal["opening", "update", "resolution"]
"""The client notices a brand may restyle; each is an HTML template file."""

TEMPLATE_PURPOSES: dict[str, ClientTemplate] = {
    "client_opened": "opening",
    "client_update": "update",
    "client_resolved": "resolution",
}
"""Which brand template a client message's purpose uses."""


class Brand(BaseModel):
    """Who a client's notices come from, and how they read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider_name: str = Field(description="The provider as the client knows it")
    sender_name: str | None = Field(None, description="Display name of the sender; the provider's")
    sender_email: EmailAddress | None = Field(
        None, description="From address (verified with the email provider); the house one if unset"
    )
    reply_to: EmailAddress | None = Field(
        None, description="Where the client's replies go; named as the contact in every notice"
    )
    signature: str | None = Field(None, description="Closing lines under every notice")
    templates: dict[ClientTemplate, str] = Field(
        default={},
        description="HTML template files (relative to the policy file) replacing a notice's body",
    )
    template_sources: dict[ClientTemplate, str] = Field(
        default={}, description="Filled in from `templates` when the policy loads"
    )


class Sender(BaseModel):
    """The From and Reply-To of one email; None fields fall back to the transport's house sender."""

    name: str | None = None
    email: str | None = None
    reply_to: str | None = None


def sender_of(brand: Brand | None) -> Sender | None:
    """The sender a branded notice goes out from; None keeps the house sender."""
    if brand is None:
        return None
    return Sender(
        name=brand.sender_name or brand.provider_name,
        email=brand.sender_email,
        reply_to=brand.reply_to,
    )
