"""Twilio's webhooks: SMS replies, a call's keypress, delivery status. Verified before anything.

Configure the Twilio number with `<public>/v1/twilio/sms` ("A message comes in", HTTP POST);
calls and status callbacks carry their URLs themselves. Every request's signature is checked
against ESCALATION_PUBLIC_URL first: a bad one is answered 403 and changes nothing. Answers are
TwiML; 503 when Temporal cannot be reached, so Twilio's fallback URL (if any) takes over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request, Response
from temporalio.client import Client
from temporalio.service import RPCError
from twilio.twiml.messaging_response import MessagingResponse

from api.delivery_status import receipt, send_receipt
from api.policy_source import PolicySource
from api.settings import HttpSettings
from api.sms_replies import SmsReplies
from api.twilio_signature import TwilioSignature
from api.voice_keypress import Keypress
from escalation.contract import TASK_QUEUE

T = TypeVar("T")
FORM_LIMIT = 65_536
"""Twilio's form posts are a few kilobytes; anything far larger is not from Twilio."""
TWIML = "application/xml"
TEMPORAL_SECONDS = 10.0
"""How long one webhook waits on Temporal: Twilio gives up on a webhook after 15 s."""


class TwilioWebhooks:
    """The three routes' work, bound to one client, policy file and signature check."""

    def __init__(
        self, client: Client, policies: PolicySource, signature: TwilioSignature, task_queue: str
    ) -> None:
        self.client = client
        self.policies = policies
        self.signature = signature
        self.replies = SmsReplies(client, task_queue)
        self.keypress = Keypress(client)

    async def sms(self, request: Request) -> Response:
        """An inbound SMS: TwiML with the answer, or an empty one (no reply)."""
        form = await self._verified(request)
        text = await _temporal(
            self.replies.answer(self.policies.current(), form.get("From", ""), form.get("Body", ""))
        )
        twiml = MessagingResponse()
        if text:
            twiml.message(text)
        return Response(str(twiml), media_type=TWIML)

    async def voice(self, request: Request) -> Response:
        """A digit gathered during a voice page."""
        form = await self._verified(request)
        action = self.signature.url(request.url.path, request.url.query)
        twiml = await _temporal(
            self.keypress.answer(self.policies.current(), request.query_params, form, action)
        )
        return Response(twiml, media_type=TWIML)

    async def status(self, request: Request) -> Response:
        """A status callback: 204 once the incident has its receipt (or there is none to give)."""
        form = await self._verified(request)
        body = receipt(request.query_params, form)
        if body is not None:
            await _temporal(send_receipt(self.client, request.query_params["incident"], body))
        return Response(status_code=204)

    async def _verified(self, request: Request) -> dict[str, str]:
        """The form fields, once the signature is Twilio's; 403 (and nothing done) otherwise."""
        raw = await _bounded(request)
        form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        if not self.signature.valid(request.url.path, request.url.query, form, request.headers):
            raise HTTPException(403, "the request is not signed by Twilio")
        return form


async def _bounded(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > FORM_LIMIT:
            raise HTTPException(413, f"Twilio forms are limited to {FORM_LIMIT} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _temporal(work: Awaitable[T]) -> T:
    """503 while Temporal cannot be reached, before Twilio's own 15 s timeout: Twilio then uses
    the number's fallback URL (or, for a status callback, drops it)."""
    try:
        async with asyncio.timeout(TEMPORAL_SECONDS):
            return await work
    except TimeoutError:
        raise HTTPException(503, "Temporal did not answer in time") from None
    except RPCError as error:
        raise HTTPException(503, f"Temporal did not answer: {error.message}"[:300]) from None
    except RuntimeError as error:  # the lazy connection failing
        raise HTTPException(503, f"Temporal is unreachable: {error}"[:300]) from None


def twilio_router(
    client: Client, policies: PolicySource, settings: HttpSettings, task_queue: str | None = None
) -> APIRouter:
    """`/v1/twilio/sms`, `/v1/twilio/voice`, `/v1/twilio/status`."""
    signature = TwilioSignature.from_environment(settings.public_url)
    hooks = TwilioWebhooks(client, policies, signature, task_queue or TASK_QUEUE)
    router = APIRouter(prefix="/v1/twilio", tags=["twilio"])
    forbidden = {403: {"description": "Not signed by Twilio (nothing was done)"}}
    router.post("/sms", summary="Twilio inbound SMS: a reply to a page", responses=forbidden)(
        hooks.sms
    )
    router.post("/voice", summary="A keypress during a voice page", responses=forbidden)(
        hooks.voice
    )
    router.post("/status", status_code=204, summary="Twilio status callback", responses=forbidden)(
        hooks.status
    )
    return router
