"""Signed, expiring action links in page emails: Acknowledge or Escalate from the message itself.

A token names the incident (its id and the time it opened, so a later incident reusing the key
cannot be acted on with an old link), the verb, the contact and a random token id the incident
accepts once. It is signed with ESCALATION_ACTION_KEY (itsdangerous: HMAC-SHA256 with a key
derived for this purpose alone) and carries its own signing time, checked against
ESCALATION_ACTION_LINK_TTL.

Tokens are minted here, on the activity side, when the email is rendered: neither the key nor a
token ever enters workflow history (the rendered message does not either: only the receipt does).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from pydantic import BaseModel, ConfigDict, ValidationError

from escalation.actions import RESPONDER_PURPOSES
from escalation.environment import SettingInvalid, seconds_setting, url_setting
from escalation.messages import OutboundMessage

KEY_SETTING = "ESCALATION_ACTION_KEY"
TTL_SETTING = "ESCALATION_ACTION_LINK_TTL"
PUBLIC_URL_SETTING = "ESCALATION_PUBLIC_URL"
DEFAULT_TTL = timedelta(hours=24)
MIN_KEY_LENGTH = 32
"""Characters: a shorter key could be guessed offline from one link."""
SALT = "escalation.action-link.v1"
ACTIONS_PATH = "/v1/actions/"

LinkVerb = Literal["acknowledge", "escalate"]
LINK_VERBS: tuple[LinkVerb, ...] = ("acknowledge", "escalate")


def token_serializer(
    key: str, signer: type[TimestampSigner] = TimestampSigner
) -> URLSafeTimedSerializer:
    """How tokens are signed and read: URL-safe, time-stamped, HMAC-SHA256 (not itsdangerous's
    SHA-1 default)."""
    return URLSafeTimedSerializer(
        key, salt=SALT, signer=signer, signer_kwargs={"digest_method": hashlib.sha256}
    )


class LinkClaim(BaseModel):
    """What a verified token says; the incident checks the id, the opening and the token id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    incident_id: str
    opened_at: datetime
    verb: LinkVerb
    contact: str
    token_id: str


class LinkRefused(ValueError):
    """A token that cannot act; the message is shown to the person who followed the link."""


class LinkExpired(LinkRefused):
    """Signed by us, but older than the link lifetime."""


@dataclass(frozen=True)
class ActionLinks:
    """Mints and reads action-link tokens with one key, for one public URL."""

    key: str
    public_url: str
    ttl: timedelta = DEFAULT_TTL

    def _serializer(self) -> URLSafeTimedSerializer:
        return token_serializer(self.key)

    def mint(self, incident_id: str, opened_at: datetime, verb: LinkVerb, contact: str) -> str:
        """A fresh token (its own id) for one verb by one contact on one incident."""
        claim = LinkClaim(
            incident_id=incident_id,
            opened_at=opened_at,
            verb=verb,
            contact=contact,
            token_id=uuid.uuid4().hex,
        )
        return str(self._serializer().dumps(claim.model_dump(mode="json")))

    def url(self, token: str) -> str:
        return f"{self.public_url}{ACTIONS_PATH}{token}"

    def read(self, token: str) -> LinkClaim:
        """The claim of a token we signed within the lifetime; LinkRefused says why not."""
        try:
            data = self._serializer().loads(token, max_age=self.ttl.total_seconds())
        except SignatureExpired:
            hours = self.ttl.total_seconds() / 3600
            raise LinkExpired(
                f"This link has expired (links work for {hours:g} hours after the email was "
                "sent). Use the escalation CLI or the Temporal UI instead."
            ) from None
        except BadSignature:
            raise LinkRefused(
                "This link is not valid: it was altered or not issued here."
            ) from None
        try:
            return LinkClaim.model_validate(data)
        except ValidationError:
            raise LinkRefused("This link cannot act on an incident.") from None

    def for_message(self, message: OutboundMessage) -> dict[LinkVerb, str]:
        """The links an email carries: none for bundles or other audiences; Acknowledge only
        while nobody has, Escalate while the incident is open."""
        facts = message.facts
        if (
            message.channel != "email"
            or message.bundled
            or message.purpose not in RESPONDER_PURPOSES
        ):
            return {}
        verbs: list[LinkVerb] = []
        if facts.status == "triggered":
            verbs.append("acknowledge")
        if facts.status in ("triggered", "acknowledged"):
            verbs.append("escalate")
        return {
            verb: self.url(self.mint(facts.incident_id, facts.opened_at, verb, message.recipient))
            for verb in verbs
        }


def action_links_from_environment(environ: Mapping[str, str] | None = None) -> ActionLinks | None:
    """None while ESCALATION_ACTION_KEY is unset (emails then carry no links)."""
    env = os.environ if environ is None else environ
    key = env.get(KEY_SETTING, "").strip()
    if not key:
        return None
    if len(key) < MIN_KEY_LENGTH:  # the value is never repeated: it is a secret
        raise SettingInvalid(
            f"{KEY_SETTING}: expected at least {MIN_KEY_LENGTH} characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(32))")'
        )
    public_url = url_setting(PUBLIC_URL_SETTING, environ=env)
    if not public_url:
        raise SettingInvalid(
            f"{KEY_SETTING} is set but {PUBLIC_URL_SETTING} is not: the links in emails need "
            "the address where people reach the HTTP service"
        )
    ttl = seconds_setting(TTL_SETTING, DEFAULT_TTL.total_seconds(), environ=env)
    return ActionLinks(key=key, public_url=public_url.rstrip("/"), ttl=timedelta(seconds=ttl))
