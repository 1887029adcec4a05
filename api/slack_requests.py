"""What every Slack request needs: the signature checked, the body read, the user identified,
and the verb sent within Slack's three seconds."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from fastapi import HTTPException, Request
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient
from temporalio.client import Client, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from api.settings import MAX_BODY_BYTES
from escalation.contract import CommandResult
from starter.incidents import IncidentNotFound, VerbRefused, send_verb

VERB_TIMEOUT_SECONDS = 2.0
"""Slack shows an error when the answer takes over 3 s; the verb gets this much of it."""
VIA = "Slack"

log = logging.getLogger(__name__)


async def verified_form(request: Request, verifier: SignatureVerifier) -> dict[str, str]:
    """The form Slack posted, once its `v0` signature over timestamp and raw body is good and
    the timestamp is within five minutes; 403 otherwise (nothing of it is read before)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, "body too large")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise HTTPException(413, "body too large")
    if not verifier.is_valid_request(body, dict(request.headers)):
        raise HTTPException(403, "invalid Slack signature or stale timestamp")
    return {name: values[-1] for name, values in parse_qs(body.decode()).items()}


class Outcome(NamedTuple):
    """Whether the incident took the verb, and what to tell the user."""

    done: bool
    text: str


async def run_verb(client: Client, key: str, verb: str, payload: dict[str, Any]) -> Outcome:
    """Send the verb as an update, bounded by VERB_TIMEOUT_SECONDS."""
    try:
        result: CommandResult = await asyncio.wait_for(
            send_verb(client, key, verb, payload | {"via": VIA}), VERB_TIMEOUT_SECONDS
        )
    except VerbRefused as refusal:
        return Outcome(False, f"Not done: {refusal}")
    except IncidentNotFound:
        return Outcome(False, f"No incident {key} is running.")
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):  # the SDK's word for it
        return Outcome(
            False,
            f"Incident {key} did not answer within Slack's time limit; the {verb} may still "
            "apply: the status message will show it.",
        )
    except RPCError as error:
        log.warning("slack %s on %s: %s", verb, key, error)
        return Outcome(False, f"Incident {key} cannot take {verb} now (it may have ended).")
    return Outcome(True, f"Done: {result.message} ({key} is {result.status}).")


def tell_user(response_url: str | None, text: str) -> None:
    """Reply to the clicker only (ephemeral), through the interaction's `response_url`."""
    if not response_url:
        return
    try:
        WebhookClient(response_url, timeout=5).send(
            text=text, response_type="ephemeral", replace_original=False
        )
    except Exception:  # a lost reply must not fail the request; the verb is done
        log.warning("could not reply to the Slack user through response_url", exc_info=True)


def strangers_reply(user_id: str) -> str:
    return (
        f"You cannot act on incidents: your Slack user {user_id} is not a contact in the "
        "escalation policy (contacts.<name>.slack)."
    )
