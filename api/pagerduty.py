"""PagerDuty Events API v2 (`POST /v2/enqueue`), so a sender migrates by changing one URL.

The sender's `dedup_key` is echoed back unchanged; inside, it is scoped to the integration and
hashed into a dedup key of our form, so any string PagerDuty accepts is accepted here.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.labels import build_alert
from api.problems import BadRequest, validation_problems
from api.reports import Acknowledge, Clear, Fire, Report, digest, integration_key
from escalation.integrations import Integration
from escalation.policy import Policy

DEDUP_KEY_LIMIT = 255


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class EventPayload(_Lenient):
    """`payload`: what is wrong, where, and how bad."""

    summary: str = Field(min_length=1, max_length=1024)
    source: str = Field(min_length=1, max_length=255)
    severity: Literal["critical", "error", "warning", "info"]
    timestamp: str | None = Field(None, max_length=64)
    component: str | None = Field(None, max_length=255)
    group: str | None = Field(None, max_length=255)
    class_: str | None = Field(None, alias="class", max_length=255)
    custom_details: Any = None


class Event(_Lenient):
    """One event: trigger, acknowledge or resolve."""

    routing_key: str = Field(min_length=1, max_length=200)
    event_action: Literal["trigger", "acknowledge", "resolve"]
    dedup_key: str | None = Field(None, min_length=1, max_length=DEDUP_KEY_LIMIT)
    payload: EventPayload | None = None
    client: str | None = Field(None, max_length=1000)


def parse(body: Any) -> Event:
    """The event, or a 400 naming each bad field (`payload.severity: ...`)."""
    try:
        event = Event.model_validate(body)
    except ValidationError as error:
        raise BadRequest(validation_problems(error)) from None
    if event.event_action == "trigger" and event.payload is None:
        raise BadRequest(["payload: required for a trigger"])
    if event.event_action != "trigger" and event.dedup_key is None:
        raise BadRequest([f"dedup_key: required for {event.event_action}"])
    return event


def sender_dedup_key(event: Event) -> str:
    """The key the sender will use to act on this event later: theirs, or a new one."""
    return event.dedup_key or uuid.uuid4().hex


def report(
    event: Event, dedup_key: str, *, name: str, integration: Integration, policy: Policy
) -> Report:
    """What the event asks for."""
    key = integration_key(name, dedup_key)
    source = f"pagerduty events ({name})"
    if event.event_action == "acknowledge":
        return Acknowledge(key, source)
    if event.event_action == "resolve":
        return Clear(key, dedup_key, source, integration.resolve_on_clear)
    payload = event.payload
    assert payload is not None  # parse() insists on it for a trigger
    details = payload.custom_details
    labels = (
        {str(k): str(v) for k, v in details.items() if not isinstance(v, dict | list)}
        if isinstance(details, dict)
        else {}
    )
    labels.setdefault(integration.labels.severity, payload.severity)
    facts = [
        f"{label}: {value}"
        for label, value in (
            ("Source", payload.source),
            ("Component", payload.component),
            ("Group", payload.group),
            ("Class", payload.class_),
        )
        if value
    ]
    if details is not None:
        facts.append("Details: " + json.dumps(details, sort_keys=True, default=str)[:5000])
    return Fire(
        build_alert(
            integration_name=name,
            integration=integration,
            policy=policy,
            labels=labels,
            labels_path="payload.custom_details",
            title=payload.summary,
            description="\n".join(facts),
            dedup_key=key,
            alert_id=digest(name, dedup_key, payload.summary, payload.timestamp or "", length=32)
            if payload.timestamp
            else uuid.uuid4().hex,
            source=source,
            fallback_service=payload.component or integration.service or payload.source,
        )
    )
