"""Slack's settings from the environment and the Web API client built from them.

SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET together turn Slack on (one without the other is a
typo, refused before anything connects); SLACK_API_URL points the client at a proxy or test
double. Neither set: Slack is off.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from escalation.environment import SettingInvalid, url_setting

if TYPE_CHECKING:
    from slack_sdk import WebClient

SLACK_API = "https://slack.com/api/"
REQUEST_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SlackSettings:
    """Checked Slack settings; `repr` never shows the secrets."""

    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    api_url: str = SLACK_API

    def web_client(self) -> WebClient:
        """The official SDK's client. Its built-in retry on a dropped connection stays; 429 is
        left to the activity's retry policy, which honours Retry-After."""
        from slack_sdk import WebClient  # noqa: PLC0415 - loaded only where Slack is set up

        return WebClient(
            token=self.bot_token, base_url=self.api_url, timeout=REQUEST_TIMEOUT_SECONDS
        )


def slack_settings(environ: Mapping[str, str] | None = None) -> SlackSettings | None:
    """Slack's settings, or None when Slack is off; SettingInvalid when half set up."""
    env = os.environ if environ is None else environ
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    if not token and not secret:
        return None
    if not token or not secret:
        missing = "SLACK_BOT_TOKEN" if not token else "SLACK_SIGNING_SECRET"
        raise SettingInvalid(f"{missing}: not set, but Slack needs both bot token and secret")
    if not token.startswith("xoxb-"):
        raise SettingInvalid("SLACK_BOT_TOKEN: expected a bot token starting with xoxb-")
    base = url_setting("SLACK_API_URL", environ=env) or SLACK_API
    return SlackSettings(token, secret, base if base.endswith("/") else base + "/")


def slack_activities(settings: SlackSettings | None) -> list[Callable[..., Any]]:
    """The Slack activities to register on a worker; none (and no Slack SDK loaded) when off."""
    if settings is None:
        return []
    from activities.slack_activities import SlackActivities  # noqa: PLC0415

    slack = SlackActivities(settings.web_client())
    return [slack.open, slack.update_status, slack.tell, slack.close]
