"""`GET|POST /v1/actions/<token>`: the Acknowledge and Escalate links in page emails.

GET only shows what the link will do, with a button: mail scanners and link previews follow
every GET (the reason RFC 8058 exists), so nothing may happen on one. POST acts, once: the
incident refuses a token id it has already accepted. Every refusal is a short page that says
what happened and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from temporalio.client import Client
from temporalio.service import RPCError

from activities.action_links import ActionLinks, LinkClaim, LinkExpired, LinkRefused
from api.intake import ACCEPT_TIMEOUT_SECONDS
from escalation.link_actions import LinkAction, link_refusal
from starter.incidents import IncidentNotFound, VerbRefused
from starter.page_actions import act_by_link, incident_for_link

log = logging.getLogger(__name__)

UNAVAILABLE = (RPCError, RuntimeError, TimeoutError)
"""Temporal refusing, not reachable (a lazy client's failed connection is a RuntimeError) or
not answering within ACCEPT_TIMEOUT_SECONDS."""
LABELS = {"acknowledge": "Acknowledge", "escalate": "Escalate"}
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; margin: 2em;">
<h1 style="font-size: 1.4em;">{title}</h1>{body}</body></html>"""


def page(status: int, title: str, text: str, form: str = "") -> HTMLResponse:
    """A small page; every piece of text in it is escaped here."""
    body = f"<p>{escape(text)}</p>{form}"
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return HTMLResponse(PAGE.format(title=escape(title), body=body), status, headers=headers)


def action_pages(client: Client, links: ActionLinks | None) -> APIRouter:
    """The routes, bound to the Temporal client and the key that signed the links."""
    router = APIRouter(tags=["from the page"])

    def claim_of(token: str) -> LinkClaim | HTMLResponse:
        if links is None:
            return page(404, "Links are off", "Email action links are not enabled here.")
        try:
            return links.read(token)
        except LinkExpired as error:
            return page(410, "Link expired", str(error))
        except LinkRefused as error:
            log.warning("action link refused: %s", error)  # the token itself is never logged
            return page(400, "Link not valid", str(error))

    @router.get("/v1/actions/{token}", response_class=HTMLResponse, summary="Confirm a link")
    async def confirm(token: str) -> HTMLResponse:
        """What the link will do, and a button to do it; changes nothing."""
        claim = claim_of(token)
        if isinstance(claim, HTMLResponse):
            return claim
        try:
            async with asyncio.timeout(ACCEPT_TIMEOUT_SECONDS):
                state = await incident_for_link(client, claim.incident_id)
        except IncidentNotFound:
            return page(404, "No such incident", f"{claim.incident_id} is not an incident here.")
        except UNAVAILABLE:
            return page(503, "Try again", "The incident service is not answering; try again.")
        label = LABELS[claim.verb]
        if state is not None:
            reason = link_refusal(state, _action(claim))
            if reason:
                return page(409, f"{label}: not done", f"{claim.incident_id}: {reason}.")
        title = f"{state.title} ({state.status})" if state else claim.incident_id
        form = (
            f'<form method="post"><button type="submit" style="font-size: 1.1em; '
            f'padding: 8px 20px;">{escape(label)} as {escape(claim.contact)}</button></form>'
        )
        text = f"{label} {claim.incident_id}: {title}?"
        return page(200, f"{label} incident?", text, form)

    @router.post("/v1/actions/{token}", response_class=HTMLResponse, summary="Act on a link")
    async def act(token: str) -> HTMLResponse:
        """Run the link's verb as its contact, via the email link; once per link."""
        claim = claim_of(token)
        if isinstance(claim, HTMLResponse):
            return claim
        label = LABELS[claim.verb]
        try:
            async with asyncio.timeout(ACCEPT_TIMEOUT_SECONDS):
                result = await act_by_link(client, _action(claim))
        except IncidentNotFound:
            return page(404, "No such incident", f"{claim.incident_id} is not an incident here.")
        except VerbRefused as error:
            return page(409, f"{label}: not done", f"{claim.incident_id}: {error}.")
        except UNAVAILABLE:
            return page(503, "Try again", "The incident service is not answering; try again.")
        return page(200, "Done", f"{result.incident_id}: {result.message}")

    return router


def _action(claim: LinkClaim) -> LinkAction:
    return LinkAction(
        token_id=claim.token_id,
        incident_id=claim.incident_id,
        opened_at=claim.opened_at,
        verb=claim.verb,
        by=claim.contact,
    )
