"""The front door with Twilio configured, and requests built and signed exactly as Twilio does."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, Unpack
from urllib.parse import urlencode

import httpx
import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from twilio.request_validator import RequestValidator

from activities.outbox import Outbox
from api.server import HttpService
from api.settings import HttpSettings
from escalation.incident import IncidentState
from escalation.sms_codes import registry_workflow_id
from starter.incidents import IncidentNotFound, IncidentNotReady, incident_status
from tests.api.conftest import KEYS
from tests.conftest import EXAMPLE_POLICY, IncidentWorker
from tests.polling import poll

PUBLIC_URL = "https://escalation.example.com"
"""What the Twilio number is configured with; requests reach the service on loopback (a proxy)."""
TOKEN = "twilio-primary-auth-token-0f1e2d3c4b5a"
ALTERNATE_TOKEN = "twilio-rotated-auth-token-9a8b7c6d5e4f"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TWILIO_NUMBER = "+15555550100"
ALICE = "+15555550101"
BOB = "+15555550102"
STRANGER = "+15555550999"
REPLY_LINE = re.compile(r"Reply (\d+)a to ack, (\d+)e to escalate$")


def inbound_sms(sender: str, body: str) -> dict[str, str]:
    """The form Twilio posts for an incoming message (field for field, as its docs list them)."""
    sid = "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "CA",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": TWILIO_NUMBER,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def signature(url: str, form: dict[str, str], token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


class Signing(TypedDict, total=False):
    """How `post_signed` signs: the query string, the auth token (None: unsigned), the URL."""

    query: dict[str, str] | None
    token: str | None
    signed_url: str | None


async def post_signed(
    http: httpx.AsyncClient,
    path: str,
    form: dict[str, str],
    *,
    query: dict[str, str] | None = None,
    token: str | None = TOKEN,
    signed_url: str | None = None,
) -> httpx.Response:
    """The request Twilio makes: form-encoded, `X-Twilio-Signature` over the public URL."""
    target = f"{path}?{urlencode(query)}" if query else path
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if token is not None:
        url = signed_url or f"{PUBLIC_URL}{target}"
        headers["X-Twilio-Signature"] = signature(url, form, token)
    return await http.post(target, content=urlencode(form), headers=headers)


@dataclass
class TwilioFrontDoor:
    """The served front door with a worker that allocates reply codes, on the dev server."""

    http: httpx.AsyncClient
    client: Client
    worker: IncidentWorker
    outbox: Outbox

    async def post(
        self, path: str, form: dict[str, str], **signing: Unpack[Signing]
    ) -> httpx.Response:
        """POST the form as Twilio would: signed over the public URL (unless told otherwise)."""
        return await post_signed(self.http, path, form, **signing)

    async def sms(self, sender: str, body: str, **kw: str | None) -> httpx.Response:
        return await self.post("/v1/twilio/sms", inbound_sms(sender, body), **kw)

    async def open(self, title: str = "checkout failing") -> str:
        """A critical incident (pages Alice by SMS); its workflow id."""
        response = await self.http.post(
            "/v1/alerts",
            json={"title": title, "severity": "critical", "dedup_key": uuid.uuid4().hex[:12]},
            headers={"Authorization": f"Bearer {KEYS['generic']}"},
        )
        assert response.status_code == 202, response.text
        workflow_id = response.json()["incidents"][0]["workflow_id"]
        self.worker.track(workflow_id)
        return workflow_id

    async def sms_page(self, incident: str) -> str:
        """The text of the SMS page that reached Alice for this incident."""
        pages = await poll(
            lambda: _async(self.outbox.read()),
            lambda entries: any(_is_sms_page(e, incident) for e in entries),
            f"SMS page for {incident} in the outbox",
        )
        return next(e["text"] for e in pages if _is_sms_page(e, incident))

    async def reply_code(self, incident: str) -> int:
        match = REPLY_LINE.search(await self.sms_page(incident))
        assert match is not None, await self.sms_page(incident)
        return int(match.group(1))

    async def state(self, incident: str, condition, what: str) -> IncidentState:
        return await poll(
            lambda: incident_status(self.client, incident),
            condition,
            what,
            retry_on=(IncidentNotReady, IncidentNotFound),
            every=0.1,
        )


async def _async(value: object) -> object:
    return value


def _is_sms_page(entry: dict[str, object], incident: str) -> bool:
    return entry.get("channel") == "sms" and entry.get("incident_id") == incident


def twiml_messages(response: httpx.Response) -> list[str]:
    """The `<Message>` texts of a MessagingResponse (none: Twilio sends no reply)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return re.findall(r"<Message>(.*?)</Message>", response.text)


@pytest_asyncio.fixture
async def twilio_door(
    dev_server_env: WorkflowEnvironment,
    make_worker,
    outbox: Outbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[TwilioFrontDoor]:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN_ALTERNATE", ALTERNATE_TOKEN)
    policy_file = tmp_path / "policy.yaml"
    shutil.copy(EXAMPLE_POLICY, policy_file)
    client = dev_server_env.client
    worker = make_worker(client, policy_file, reply_codes=True)
    for phone in (ALICE, BOB):  # the registries the tests reach end with the test, too
        worker.track(registry_workflow_id(phone, worker.task_queue))
    service = HttpService(
        client,
        HttpSettings(host="127.0.0.1", port=0, public_url=PUBLIC_URL),
        policy_file,
        task_queue=worker.task_queue,
        embedded=True,
    )
    await service.start()
    async with worker.worker, httpx.AsyncClient(base_url=service.url, timeout=30) as http:
        try:
            yield TwilioFrontDoor(http, client, worker, outbox)
        finally:
            await service.stop()
