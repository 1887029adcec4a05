"""The live status message in Block Kit: the incident at a glance, and buttons that act."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from escalation.slack import SlackStatus

BUTTON_LABELS = {
    "incident_acknowledge": "Acknowledge",
    "incident_escalate": "Escalate",
    "incident_post_update": "Add update",
    "incident_resolve": "Resolve",
}


def status_text(status: SlackStatus) -> str:
    """The notification text (and the fallback where blocks do not show)."""
    return f"[{status.status.upper()}] {status.severity} {status.service}: {status.title}"


def status_blocks(status: SlackStatus) -> list[dict[str, Any]]:
    """Header, the facts, and the buttons that still make sense for the status."""
    facts = [
        f"*Status:* {status.status}",
        f"*Severity:* {status.severity}",
        f"*Tier:* {status.tier}",
        f"*Owner:* {status.owner or 'nobody yet'}",
        f"*Ack SLA:* {_clock(status.ack_due, status.acknowledged, status.ack_breached)}",
        f"*Resolve SLA:* {_clock(status.resolve_due, status.resolved, status.resolve_breached)}",
        f"*Clients affected:* {', '.join(status.clients_affected) or 'none'}",
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": status_text(status)[:150]}},
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": fact} for fact in facts],
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Incident `{status.key}`"}],
        },
    ]
    buttons = _buttons(status)
    if buttons:
        blocks.append({"type": "actions", "block_id": "incident_actions", "elements": buttons})
    return blocks


def _clock(due: datetime, met: bool, breached: bool) -> str:
    if breached:
        return f"breached (due {due:%H:%M} UTC)"
    if met:
        return "met"
    return f"due {due:%Y-%m-%d %H:%M} UTC"


def _buttons(status: SlackStatus) -> list[dict[str, Any]]:
    if status.status in ("resolved", "closed"):
        return []
    shown = [
        action
        for action in BUTTON_LABELS
        if status.status == "triggered" or action != "incident_acknowledge"
    ]
    return [
        {
            "type": "button",
            "action_id": action,
            "text": {"type": "plain_text", "text": BUTTON_LABELS[action]},
            "value": status.key,
            **({"style": "primary"} if action == "incident_acknowledge" else {}),
        }
        for action in shown
    ]
