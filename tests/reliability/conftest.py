"""Reliability tests: real dev server, real worker processes, real provider SDKs against a fake.

The worker talks to SendGrid and Twilio through their own SDKs, pointed by SENDGRID_BASE_URL and
TWILIO_BASE_URL at `FakeProviders`, a local server that records every request it receives: the
provider's side of the story, against which "delivered at least once" and "duplicates" are
counted.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

from temporalio.api.history.v1 import HistoryEvent

from escalation.incident import IncidentState
from tests.fakes.providers import (
    FAKE_SENDGRID_API_KEY,
    FAKE_TWILIO_ACCOUNT_SID,
    FAKE_TWILIO_AUTH_TOKEN,
    SENDGRID_PATH,
    FakeProviders,
    RecordedRequest,
)
from tests.processes import Stack

HERE = Path(__file__).resolve().parent
SHORT_WINDOWS_POLICY = HERE / "policy.yaml"
"""Tier 1 (email) and Tier 2 (SMS) with 8 s windows, then management (email)."""
TIER_WINDOW = timedelta(seconds=8)
"""Both tier windows of SHORT_WINDOWS_POLICY."""
ALICE_EMAIL, BOB_PHONE, ERIN_EMAIL = "alice@example.com", "+15555550102", "erin@example.com"
"""The only address of Tier 1, Tier 2 and management in SHORT_WINDOWS_POLICY."""
PAGED_ADDRESSES = (ALICE_EMAIL, BOB_PHONE, ERIN_EMAIL)
"""Every address an unanswered incident under SHORT_WINDOWS_POLICY reaches, in that order."""

SENDGRID_API_KEY = FAKE_SENDGRID_API_KEY
TWILIO_ACCOUNT_SID = FAKE_TWILIO_ACCOUNT_SID
TWILIO_AUTH_TOKEN = FAKE_TWILIO_AUTH_TOKEN
FROM_NUMBER = "+15555550100"
EMAIL_FROM = "Escalations <escalations@example.com>"

INCIDENT_ID = re.compile(r"incident-[A-Za-z0-9._:@~-]+")


def provider_env(fake: FakeProviders) -> dict[str, str]:
    """The worker's environment for real SendGrid and Twilio transports aimed at the fake."""
    return {
        "SENDGRID_API_KEY": SENDGRID_API_KEY,
        "ESCALATION_EMAIL_FROM": EMAIL_FROM,
        "SENDGRID_BASE_URL": fake.url,
        "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_BASE_URL": fake.url,
    }


def twilio_basic_auth() -> str:
    """What the Twilio SDK puts after `Basic ` in every request: base64 of `SID:token`."""
    return base64.b64encode(f"{TWILIO_ACCOUNT_SID}:{TWILIO_AUTH_TOKEN}".encode()).decode()


def provider_page(request: RecordedRequest) -> tuple[str, str] | None:
    """(incident id, address) of a message request as the provider received it, else None.

    SendGrid's request carries the incident in its custom args; a Twilio SMS names it in the
    body (`Ack: escalation ack incident-...` or `Ref incident-...`).
    """
    if request.path == SENDGRID_PATH:
        body = request.json
        return body["custom_args"]["incident_id"], body["personalizations"][0]["to"][0]["email"]
    if request.path.endswith("/Messages.json"):
        form = request.form
        found = INCIDENT_ID.search(form.get("Body", ""))
        return (found.group(0).rstrip("."), form["To"]) if found else None
    return None


def provider_pages(fake: FakeProviders) -> Counter[tuple[str, str]]:
    """How many requests the providers received per (incident, address)."""
    return Counter(page for page in map(provider_page, fake.requests) if page is not None)


async def incident_states(
    stack: Stack, keys: list[str], concurrency: int = 20
) -> list[IncidentState] | None:
    """Every incident's `status` query, or None while one has not opened yet."""
    gate = asyncio.Semaphore(concurrency)

    async def read(key: str) -> IncidentState | None:
        async with gate:
            handle = stack.client.get_workflow_handle(f"incident-{key}")
            return await handle.query("status", result_type=IncidentState | None)

    states = await asyncio.gather(*(read(key) for key in keys))
    return None if any(state is None for state in states) else list(states)  # type: ignore[arg-type]


async def page_delivery_events(stack: Stack, key: str) -> tuple[HistoryEvent, HistoryEvent]:
    """The Tier 1 page's ActivityTaskScheduled and ActivityTaskStarted events in `incident-key`."""
    history = await stack.client.get_workflow_handle(f"incident-{key}").fetch_history()
    scheduled = [
        event
        for event in history.events
        if event.activity_task_scheduled_event_attributes.activity_type.name
        == "deliver_notification"
    ]
    page = next(
        event
        for event in scheduled
        if ALICE_EMAIL.encode()
        in event.activity_task_scheduled_event_attributes.input.payloads[0].data
    )
    started = next(
        event
        for event in history.events
        if event.activity_task_started_event_attributes.scheduled_event_id == page.event_id
    )
    return page, started
