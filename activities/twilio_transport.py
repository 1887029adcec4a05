"""SMS and voice calls through Twilio's 2010-04-01 REST API, with the official `twilio` SDK.

Delivery is at least once: Twilio's Messages and Calls resources take no idempotency key, so when
Twilio accepted a request but the answer was lost (timeout, dropped connection), the activity's
retry sends the SMS again or rings the phone twice. Retries are bounded by the workflow's delivery
deadline; the returned SM.../CA... sid identifies each attempt in the Twilio console.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from requests import ConnectionError as RequestConnectionError
from requests import RequestException, Timeout
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.rest import Client
from twilio.twiml.voice_response import Gather, VoiceResponse

from activities.provider_errors import (
    Headers,
    is_permanent_status,
    permanent,
    provider_delay,
    transient,
)
from activities.twilio_callbacks import keypress_url, status_callback_url
from activities.twilio_client import HeaderKeepingHttpClient
from escalation.messages import DeliveryReceipt, ProviderAnswer, RenderedMessage

PERMANENT_ERROR_CODES: dict[int, str] = {
    21211: "invalid 'To' phone number",
    21610: "recipient unsubscribed (replied STOP)",
    21614: "'To' number is not a mobile number",
}
"""Twilio error codes that no retry fixes, named for the timeline (any other 4xx is final too)."""

UNUSABLE_NUMBER_CODES = frozenset({21211})
"""Codes that condemn the number itself; the other refusals (21610 STOP, 21614 landline) still
let a voice call to the same number through."""

ACKNOWLEDGE_PROMPT = "Press 1 to acknowledge."
"""Without a public URL the keypress reaches nothing: the prompt only ends the call."""
KEYPRESS_PROMPT = "Press 4 to acknowledge, 5 to escalate."
GATHER_ROUNDS = 2
"""The message is read twice before the call ends, for whoever picks up mid-sentence."""

log = logging.getLogger(__name__)


class TwilioSmsTransport:
    """Sends the rendered SMS (one GSM-7 segment) and returns the message sid (SM...)."""

    def __init__(
        self,
        client: Client,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        public_url: str | None = None,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("an SMS needs a sender: a from number or a messaging service sid")
        self.client = client
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.public_url = public_url

    def send(self, message: RenderedMessage) -> DeliveryReceipt:
        """Deliver once; a Messaging Service, when configured, picks the sending number."""
        sender = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number}
        )
        callback = status_callback_url(self.public_url, message)
        with _provider_errors(self.client):
            created = self.client.messages.create(
                to=message.to,
                body=message.text,
                **sender,
                **({"status_callback": callback} if callback else {}),
            )
        log.info("sms %s accepted by Twilio as %s", message.notification_id, created.sid)
        return DeliveryReceipt(status="sent", provider_id=created.sid)


class TwilioVoiceTransport:
    """Places a call that reads the message and asks for a key press; returns the call sid (CA...).

    "sent" means Twilio queued the call, not that anyone answered. With a public URL the key
    press goes to `POST /v1/twilio/voice` (4 acknowledges, 5 escalates) and the call's status
    to `/v1/twilio/status`; without one the `<Gather>` has no action and pressing a key only
    ends the prompt.
    """

    def __init__(self, client: Client, *, from_number: str, public_url: str | None = None) -> None:
        self.client = client
        self.from_number = from_number
        self.public_url = public_url

    def send(self, message: RenderedMessage) -> DeliveryReceipt:
        """Place the call once; a Messaging Service cannot call, so a from number is required."""
        callback = status_callback_url(self.public_url, message)
        twiml = self.twiml(message.text, keypress_url(self.public_url, message))
        with _provider_errors(self.client):
            call = self.client.calls.create(
                to=message.to,
                from_=self.from_number,
                twiml=twiml,
                **({"status_callback": callback} if callback else {}),
            )
        log.info("voice %s accepted by Twilio as %s", message.notification_id, call.sid)
        return DeliveryReceipt(status="sent", provider_id=call.sid)

    @staticmethod
    def twiml(text: str, action: str | None = None) -> str:
        """Say the message inside a one-digit Gather, twice, then hang up."""
        response = VoiceResponse()
        prompt = KEYPRESS_PROMPT if action else ACKNOWLEDGE_PROMPT
        for _ in range(GATHER_ROUNDS):
            gather = Gather(num_digits=1, timeout=5, action=action)
            gather.say(f"{text} {prompt}")
            response.append(gather)
        response.say("No key pressed. Goodbye.")
        return str(response)


@contextmanager
def _provider_errors(client: Client) -> Iterator[None]:
    """Translate the SDK's exceptions into the ApplicationErrors the workflow acts on."""
    secrets = [client.password or ""]
    try:
        yield
    except (TwilioRestException, TwilioServiceException) as error:
        raise _refusal(error, client, secrets) from None
    except RequestException as error:
        raise transient(f"Twilio unreachable: {_network_reason(error)}", secrets) from None


def _refusal(
    error: TwilioRestException | TwilioServiceException, client: Client, secrets: list[str]
) -> Exception:
    status = int(error.status)
    code = error.code
    text = str(error.msg) if isinstance(error, TwilioRestException) else error.detail or error.title
    named = PERMANENT_ERROR_CODES.get(code) if isinstance(code, int) else None
    detail = f"Twilio answered {status} (error {code}): {named or text}"
    answer = ProviderAnswer(
        provider="twilio",
        status=status,
        code=code,
        address_usable=code not in UNUSABLE_NUMBER_CODES,
    )
    if named or is_permanent_status(status):
        return permanent(detail, secrets, answer=answer)
    delay = provider_delay(_last_headers(client))
    return transient(detail, secrets, rate_limited=status == 429, retry_after=delay, answer=answer)


def _network_reason(error: RequestException) -> str:
    if isinstance(error, Timeout):
        return "timed out"
    if isinstance(error, RequestConnectionError):
        return "connection failed"
    return type(error).__name__


def _last_headers(client: Client) -> Headers | None:
    http_client = client.http_client
    if isinstance(http_client, HeaderKeepingHttpClient):
        response = http_client.last_response()
        return response.headers if response is not None else None
    return None
