"""Clicks on the status message's buttons and modal submissions, as Slack posts them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import BackgroundTasks, HTTPException
from fastapi.responses import JSONResponse, Response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from temporalio.client import Client

from api.policy_source import PolicySource
from api.slack_modals import MODAL_VERBS, first_field, modal_for, submitted_fields
from api.slack_requests import run_verb, strangers_reply, tell_user
from escalation.slack import BUTTONS
from escalation.slack_status import contact_for_slack_user


class SlackInteractions:
    """`block_actions` (buttons) and `view_submission` (modals) for incidents."""

    def __init__(self, client: Client, policies: PolicySource, web: WebClient) -> None:
        self.client, self.policies, self.web = client, policies, web

    async def handle(self, form: dict[str, str], background: BackgroundTasks) -> Response:
        try:
            payload = json.loads(form["payload"])
            kind = payload["type"]
        except (KeyError, ValueError, TypeError):
            raise HTTPException(400, "expected the form field `payload` with a type") from None
        if kind == "block_actions":
            return await self._clicked(payload, background)
        if kind == "view_submission":
            return await self._submitted(payload)
        return Response(status_code=200)  # other interactions are not ours to act on

    async def _clicked(self, payload: dict[str, Any], background: BackgroundTasks) -> Response:
        user = str(payload.get("user", {}).get("id", ""))
        response_url = payload.get("response_url")
        action = (payload.get("actions") or [{}])[0]
        verb, key = BUTTONS.get(action.get("action_id", "")), str(action.get("value", ""))
        if verb is None or not key:
            return Response(status_code=200)
        name = contact_for_slack_user(self.policies.current(), user)
        if name is None:
            background.add_task(tell_user, response_url, strangers_reply(user))
            return Response(status_code=200)
        if action["action_id"] in MODAL_VERBS:
            await self._open_modal(action["action_id"], key, payload.get("trigger_id"))
            return Response(status_code=200)
        argument: dict[str, Any] = {"by": name}
        if verb == "escalate":
            argument["reason"] = f"escalated from Slack by {name}"
        outcome = await run_verb(self.client, key, verb, argument)
        background.add_task(tell_user, response_url, outcome.text)
        return Response(status_code=200)

    async def _open_modal(self, callback_id: str, key: str, trigger_id: str | None) -> None:
        """`views.open` must happen within the trigger's three seconds."""
        try:
            await asyncio.to_thread(
                self.web.views_open, trigger_id=trigger_id, view=modal_for(callback_id, key)
            )
        except (SlackApiError, SlackClientError, OSError) as error:
            raise HTTPException(502, f"Slack did not open the form: {error}") from None

    async def _submitted(self, payload: dict[str, Any]) -> Response:
        view = payload.get("view", {})
        verb = MODAL_VERBS.get(view.get("callback_id", ""))
        if verb is None:
            return Response(status_code=200)
        key = str(view.get("private_metadata", ""))
        user = str(payload.get("user", {}).get("id", ""))
        name = contact_for_slack_user(self.policies.current(), user)
        if name is None:
            return _modal_error(verb, strangers_reply(user))
        fields = {"by": name} | submitted_fields(verb, view)
        outcome = await run_verb(self.client, key, verb, fields)
        if not outcome.done:
            return _modal_error(verb, outcome.text)
        return Response(status_code=200)  # an empty 200 closes the modal


def _modal_error(verb: str, text: str) -> JSONResponse:
    """The refusal shown in the modal, to the submitter only."""
    return JSONResponse({"response_action": "errors", "errors": {first_field(verb): text[:2000]}})
