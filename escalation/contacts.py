"""Contact addresses, validated when the policy loads so a typo never surfaces mid-incident."""

from __future__ import annotations

from typing import Annotated, Literal

import phonenumbers
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from escalation.slack import SlackUserId

Channel = Literal["email", "sms", "voice"]
"""How a message reaches a person. Voice and SMS need a phone number, email an address."""

_EMAIL_SHAPE = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"


def to_e164(value: str) -> str:
    """Normalise a phone number to E.164, refusing anything a carrier would reject."""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as error:
        raise ValueError(
            f"not a phone number in international form (+15555550101): {error}"
        ) from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"{value!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


PhoneNumber = Annotated[str, AfterValidator(to_e164)]
EmailAddress = Annotated[str, Field(pattern=_EMAIL_SHAPE, max_length=254)]


class Contact(BaseModel):
    """A person who can be paged: a responder, a manager or a stakeholder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, description="Display name; the policy key is used when absent")
    email: EmailAddress | None = Field(None, description="Email address for pages and reports")
    phone: PhoneNumber | None = Field(None, description="Phone number (E.164) for SMS and voice")
    slack: SlackUserId | None = Field(
        None, description="Slack member id (U0123ABC): invited to incident channels, may act there"
    )

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if self.email is None and self.phone is None:
            raise ValueError("a contact needs at least an email or a phone")
        return self

    def address_for(self, channel: Channel) -> str | None:
        """The address this contact has on a channel, or None when it cannot be reached there."""
        return self.email if channel == "email" else self.phone
