"""`/incident open SERVICE TITLE | status KEY | ack KEY | list`, answered in Slack."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client
from temporalio.service import RPCError

from api.policy_source import PolicySource
from api.slack_requests import VIA, run_verb, strangers_reply
from escalation.alerts import Alert
from escalation.contract import TASK_QUEUE
from escalation.incident import IncidentState
from escalation.slack_status import contact_for_slack_user
from starter.incidents import IncidentNotFound, IncidentNotReady, incident_status
from starter.listing import list_incidents
from starter.opening import open_incident

USAGE = (
    "Usage: `/incident open SERVICE TITLE` · `/incident status KEY` · `/incident ack KEY` · "
    "`/incident list`"
)
LISTED = 20


class SlackCommands:
    """The `/incident` slash command for policy contacts."""

    def __init__(self, client: Client, policies: PolicySource, task_queue: str | None) -> None:
        self.client, self.policies = client, policies
        self.task_queue = task_queue or TASK_QUEUE

    async def handle(self, form: dict[str, str]) -> dict[str, Any]:
        """The reply Slack shows: to the caller only, except an opened incident."""
        user = form.get("user_id", "")
        name = contact_for_slack_user(self.policies.current(), user)
        if name is None:
            return _private(strangers_reply(user))
        word, _, rest = form.get("text", "").strip().partition(" ")
        rest = rest.strip()
        if word == "open":
            return await self._open(name, rest)
        if word == "status" and rest:
            return _private(await self._status(rest))
        if word == "ack" and rest:
            return _private((await run_verb(self.client, rest, "acknowledge", {"by": name})).text)
        if word == "list":
            return _private(await self._list())
        return _private(USAGE)

    async def _open(self, name: str, rest: str) -> dict[str, Any]:
        service, _, title = rest.partition(" ")
        if not service or not title.strip():
            return _private(USAGE)
        try:
            alert = Alert(title=title.strip(), service=service, source=f"{name} via {VIA}")
        except ValueError as error:
            return _private(f"Not opened: {error}")
        opened = await open_incident(
            self.client, alert, task_queue=self.task_queue, policy=self.policies.current()
        )
        verb = "joined" if opened.attached else "opened"
        return {
            "response_type": "in_channel",
            "text": f"{name} {verb} {opened.key}: {opened.summary}",
        }

    async def _status(self, key: str) -> str:
        try:
            state = await incident_status(self.client, key)
        except IncidentNotFound:
            return f"No incident {key}."
        except (IncidentNotReady, RPCError) as error:
            return f"{key}: {error}"
        return describe(state)

    async def _list(self) -> str:
        listings = await list_incidents(self.client, limit=100)
        open_ones = [i for i in listings if i.status in ("triggered", "acknowledged")]
        if not open_ones:
            return "No open incidents."
        return "\n".join(
            f"`{i.key}` {i.status} tier {i.tier}: {i.summary or ''}" for i in open_ones[:LISTED]
        )


def describe(state: IncidentState) -> str:
    """An incident in a few lines, for `/incident status`."""
    owner = state.acknowledged_by or "nobody yet"
    return (
        f"`{state.key}` [{state.severity}] {state.service}: {state.title}\n"
        f"Status {state.status}, tier {state.tier}, owner {owner}; "
        f"ack due {state.sla.ack_due:%H:%M} UTC{' (breached)' if state.sla.ack_breached else ''}, "
        f"resolve due {state.sla.resolve_due:%H:%M} UTC"
        f"{' (breached)' if state.sla.resolve_breached else ''}"
    )


def _private(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}
