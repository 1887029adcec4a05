"""`POST /v1/slack/interactions` and `POST /v1/slack/commands`: Slack reaching incidents.

Every request is verified first (slack_sdk's SignatureVerifier: `v0` HMAC-SHA256 over the
timestamp and the raw body, five-minute window) and refused with 403 otherwise. Without Slack
set up (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET) both answer 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import Response
from slack_sdk.signature import SignatureVerifier
from temporalio.client import Client

from activities.slack_client import SlackSettings, slack_settings
from api.policy_source import PolicySource
from api.slack_commands import SlackCommands
from api.slack_interactions import SlackInteractions
from api.slack_requests import verified_form


def slack_router(
    client: Client,
    policies: PolicySource,
    task_queue: str | None = None,
    settings: SlackSettings | None = None,
) -> APIRouter:
    """The Slack routes; settings from the environment unless given (checked at start)."""
    settings = settings or slack_settings()
    router = APIRouter(prefix="/v1/slack", tags=["slack"])
    if settings is None:
        router.post("/interactions", include_in_schema=False)(_off)
        router.post("/commands", include_in_schema=False)(_off)
        return router
    verifier = SignatureVerifier(settings.signing_secret)
    interactions = SlackInteractions(client, policies, settings.web_client())
    commands = SlackCommands(client, policies, task_queue)

    @router.post("/interactions", summary="Slack buttons and modals (signed by Slack)")
    async def interact(request: Request, background: BackgroundTasks) -> Response:
        return await interactions.handle(await verified_form(request, verifier), background)

    @router.post("/commands", summary="The /incident slash command (signed by Slack)")
    async def command(request: Request) -> dict[str, Any]:
        return await commands.handle(await verified_form(request, verifier))

    return router


async def _off() -> None:
    raise HTTPException(404, "Slack is not set up (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)")
