"""Slack Web API calls as activities: the channel, the live status message, the thread.

Plain `def` activities on the worker's thread pool (slack_sdk's WebClient blocks). Failures
become retryable or final errors in `slack_errors`; 429 honours Retry-After.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from temporalio import activity

from activities.provider_errors import permanent
from activities.slack_blocks import status_blocks, status_text
from activities.slack_errors import slack_call
from activities.slack_pacing import ChannelPacer
from escalation.slack import (
    SlackClosing,
    SlackLines,
    SlackOpening,
    SlackStatusChange,
    SlackThread,
    channel_name,
)

NAME_ATTEMPTS = 20
"""Suffixes tried when a channel name is taken (`inc-key-2` ... `inc-key-20`)."""


class SlackActivities:
    """Bound to one Web API client; the pacer keeps each channel to about a message a second."""

    def __init__(self, client: WebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()
        self._token = client.token or ""

    @activity.defn(name="slack_open")
    def open(self, opening: SlackOpening) -> SlackThread:
        """The incident's channel with its members and the status message; the channel id and
        the message's ts go back into the workflow's state."""
        if opening.where.per_incident:
            channel = _created_before() or self._call(
                lambda: self._create_channel(channel_name(opening.key))
            )
            if activity.in_activity():  # a retry (the post failed) reuses this channel
                activity.heartbeat(channel)
            if opening.members:
                self._call(lambda: self._invite(channel, opening.members))
        else:
            channel = opening.where.channel
        self.pacer.wait_turn(channel)
        posted = self._call(
            lambda: self.client.chat_postMessage(
                channel=channel,
                text=status_text(opening.status),
                blocks=status_blocks(opening.status),
            )
        )
        return SlackThread(
            channel_id=str(posted["channel"]),
            status_ts=str(posted["ts"]),
            posted=opening.status,
            invited=opening.members if opening.where.per_incident else [],
            own_channel=opening.where.per_incident,
        )

    @activity.defn(name="slack_update_status")
    def update_status(self, change: SlackStatusChange) -> None:
        """One `chat.update` with the latest status; new responders invited."""
        if change.invite:
            self._call(lambda: self._invite(change.channel_id, change.invite))
        self.pacer.wait_turn(change.channel_id)
        self._call(
            lambda: self.client.chat_update(
                channel=change.channel_id,
                ts=change.status_ts,
                text=status_text(change.status),
                blocks=status_blocks(change.status),
            )
        )

    @activity.defn(name="slack_tell")
    def tell(self, lines: SlackLines) -> None:
        """Each line as a reply in the incident's thread, paced per channel."""
        for line in lines.lines:
            self._post_in_thread(lines.channel_id, lines.thread_ts, line)

    @activity.defn(name="slack_close")
    def close(self, closing: SlackClosing) -> None:
        """The summary in the thread, then the channel archived when the severity asks."""
        self._post_in_thread(closing.channel_id, closing.thread_ts, closing.summary)
        if closing.archive:
            self._call(lambda: self._archive(closing.channel_id))

    def _post_in_thread(self, channel: str, thread_ts: str, text: str) -> None:
        self.pacer.wait_turn(channel)
        self._call(
            lambda: self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        )

    def _create_channel(self, name: str) -> str:
        """Create the channel; a taken name gets a numeric suffix."""
        for attempt in range(1, NAME_ATTEMPTS + 1):
            candidate = name if attempt == 1 else f"{name[:75]}-{attempt}"
            try:
                created = self.client.conversations_create(name=candidate)
            except SlackApiError as error:
                if error.response.get("error") == "name_taken":
                    continue
                raise
            else:
                return str(created["channel"]["id"])
        raise permanent(f"every channel name from {name} to {name}-{NAME_ATTEMPTS} is taken")

    def _archive(self, channel: str) -> None:
        try:
            self.client.conversations_archive(channel=channel)
        except SlackApiError as error:
            if error.response.get("error") != "already_archived":  # a retry after success
                raise

    def _invite(self, channel: str, members: list[str]) -> None:
        try:
            self.client.conversations_invite(channel=channel, users=members)
        except SlackApiError as error:
            if error.response.get("error") not in ("already_in_channel", "cant_invite_self"):
                raise

    def _call(self, call: Any) -> Any:
        return slack_call(call, self._token)


def _created_before() -> str | None:
    """The channel an earlier attempt of this activity created, from its heartbeat details."""
    if not activity.in_activity():
        return None
    details = activity.info().heartbeat_details
    return str(details[0]) if details else None
