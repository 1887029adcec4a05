"""What Slack tests share: Slack activities bound to the fake, and reading the status message."""

from __future__ import annotations

from typing import Any

from activities.slack_activities import SlackActivities
from activities.slack_client import slack_settings
from activities.slack_pacing import ChannelPacer
from tests.fakes.slack import FAKE_SLACK_BOT_TOKEN, FAKE_SLACK_SIGNING_SECRET, FakeSlack


def slack_environment(fake: FakeSlack) -> dict[str, str]:
    """The three variables that point the service at the fake."""
    return {
        "SLACK_BOT_TOKEN": FAKE_SLACK_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": FAKE_SLACK_SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }


def fake_slack_activities(fake: FakeSlack, interval: float = 0.0) -> SlackActivities:
    """The worker's Slack activities against the fake (pacing off unless asked for)."""
    settings = slack_settings(slack_environment(fake))
    assert settings is not None
    return SlackActivities(settings.web_client(), ChannelPacer(interval))


def shown_status(args: dict[str, Any]) -> str:
    """The status word a posted or updated status message shows (`triggered`, ...)."""
    return str(args["text"]).split("]")[0].removeprefix("[").lower()


def shown_buttons(args: dict[str, Any]) -> list[str]:
    """The action ids of the buttons on a status message."""
    return [
        element["action_id"]
        for block in args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
