"""Requests exactly as Slack sends them: form-encoded, signed with the signing secret."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack import FAKE_SLACK_SIGNING_SECRET

ALICE, STRANGER = "U0ALICE01", "U0STRANGE"


def signed(
    fields: dict[str, str], *, age: float = 0.0, secret: str = FAKE_SLACK_SIGNING_SECRET
) -> tuple[bytes, dict[str, str]]:
    """The body and Slack's headers (`X-Slack-Request-Timestamp`, `X-Slack-Signature`)."""
    body = urlencode(fields)
    timestamp = str(int(time.time() - age))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": str(signature),
    }
    return body.encode(), headers


def block_action(action_id: str, key: str, user: str, response_url: str) -> dict[str, str]:
    """A button click on the status message (`type: block_actions`)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "team": {"id": "T0TEAM", "domain": "example"},
        "channel": {"id": "C00000001", "name": "inc-key"},
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": "C00000001"},
        "trigger_id": "1337.42.trigger",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "incident_actions",
                "value": key,
                "action_ts": "1.000002",
            }
        ],
    }
    return {"payload": json.dumps(payload)}


def view_submission(callback_id: str, key: str, user: str, values: dict[str, str]) -> dict:
    """A modal's Send (`type: view_submission`), each field in its own input block."""
    payload = {
        "type": "view_submission",
        "user": {"id": user, "username": "someone", "team_id": "T0TEAM"},
        "team": {"id": "T0TEAM", "domain": "example"},
        "view": {
            "id": "V0VIEW",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": key,
            "state": {
                "values": {
                    block: {"value": {"type": "plain_text_input", "value": text}}
                    for block, text in values.items()
                }
            },
        },
    }
    return {"payload": json.dumps(payload)}


def slash(text: str, user: str, response_url: str) -> dict[str, str]:
    """`/incident ...` as the slash command posts it."""
    return {
        "token": "deprecated-verification-token",
        "team_id": "T0TEAM",
        "channel_id": "C0GENERAL",
        "user_id": user,
        "user_name": "someone",
        "command": "/incident",
        "text": text,
        "response_url": response_url,
        "trigger_id": "1337.43.trigger",
    }
