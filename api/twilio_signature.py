"""Is this request from Twilio? `X-Twilio-Signature` checked with twilio's RequestValidator.

Twilio signs the URL it was told to call plus the form fields. Behind a TLS-terminating proxy the
request reaching us has another scheme and host, so the URL is rebuilt from
ESCALATION_PUBLIC_URL (scheme and host) and the request (path and query). TWILIO_AUTH_TOKEN and,
while a token is being rotated, TWILIO_AUTH_TOKEN_ALTERNATE are both accepted.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

log = logging.getLogger(__name__)

TOKEN_VARIABLES = ("TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN_ALTERNATE")


@dataclass(frozen=True)
class TwilioSignature:
    """The public origin the webhooks are configured with, and the tokens that may sign them."""

    public_origin: str
    tokens: tuple[str, ...]

    @classmethod
    def from_environment(
        cls, public_url: str, environ: Mapping[str, str] | None = None
    ) -> TwilioSignature:
        env = os.environ if environ is None else environ
        parts = urlsplit(public_url)
        tokens = tuple(t for name in TOKEN_VARIABLES if (t := env.get(name, "").strip()))
        return cls(public_origin=f"{parts.scheme}://{parts.netloc}", tokens=tokens)

    def url(self, path: str, query: str) -> str:
        """The URL Twilio called, as it signed it."""
        return f"{self.public_origin}{path}{'?' + query if query else ''}"

    def valid(
        self, path: str, query: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> bool:
        """True when one of the tokens signed this URL and these fields; a refusal is logged
        with the URL and the reason, never a token or the signature."""
        signature = headers.get(SIGNATURE_HEADER.lower()) or headers.get(SIGNATURE_HEADER)
        url = self.url(path, query)
        if not self.tokens:
            log.error("Twilio request to %s refused: TWILIO_AUTH_TOKEN is not set", url)
            return False
        if not signature:
            log.warning("Twilio request to %s refused: no %s header", url, SIGNATURE_HEADER)
            return False
        algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER.lower()))
        if any(
            RequestValidator(token).validate(url, dict(form), signature, algorithm)
            for token in self.tokens
        ):
            return True
        log.warning(
            "Twilio request to %s refused: %s does not match (is ESCALATION_PUBLIC_URL the "
            "URL configured on the Twilio number?)",
            url,
            SIGNATURE_HEADER,
        )
        return False
