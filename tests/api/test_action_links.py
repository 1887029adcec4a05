"""Acknowledge and Escalate links in page emails, followed the way a person (and a mail scanner)
follows them: taken from the email the fake SendGrid received, served by the real front door."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

from itsdangerous import TimestampSigner
from temporalio.client import WorkflowHandle

from activities.action_links import ActionLinks, token_serializer
from escalation.incident import IncidentState
from tests.api.conftest import ACTION_KEY, PUBLIC_URL, PageDoorUnderTest
from tests.fakes.providers import SENDGRID_PATH
from tests.polling import poll
from tests.reliability.test_secrets import _decoded
from tests.workflows.helpers import start_incident, status, wait_for

LINK = re.compile(r'href="([^"]+/v1/actions/[^"]+)"')


async def page_email_links(door: PageDoorUnderTest, handle: WorkflowHandle) -> dict[str, str]:
    """{label: path} of the links in Alice's page email, as SendGrid received it."""
    assert door.providers is not None

    def alice_pages() -> list[dict]:
        return [
            request.json
            for request in door.providers.requests_to(SENDGRID_PATH)
            if request.json["categories"] == ["page"]
            and request.json["custom_args"]["incident_id"] == handle.id
            and request.json["personalizations"][0]["to"] == [{"email": "alice@example.com"}]
        ]

    (email,) = await poll(lambda: _now(alice_pages), bool, "Alice's page email", every=0.1)
    text, html = (part["value"] for part in email["content"])
    urls = LINK.findall(html)
    assert len(urls) == 2 and all(url in text for url in urls)  # the same links in both parts
    assert all(url.startswith(f"{PUBLIC_URL}/v1/actions/") for url in urls)
    labels = re.findall(r">(Acknowledge|Escalate)</a>", html)
    return {label: urlsplit(url).path for label, url in zip(labels, urls, strict=True)}


async def _now(read):  # poll() takes a coroutine function
    return read()


async def opened(door: PageDoorUnderTest) -> tuple[WorkflowHandle, dict[str, str]]:
    handle = await start_incident(door.worker, severity="critical")
    return handle, await page_email_links(door, handle)


async def test_get_confirms_and_changes_nothing_post_acts_once(page_door) -> None:
    handle, links = await opened(page_door)
    shown = await page_door.http.get(links["Acknowledge"])
    assert shown.status_code == 200
    assert '<form method="post">' in shown.text and "Acknowledge as Alice Ng" in shown.text
    assert "checkout failing (triggered)" in shown.text
    assert (await page_door.http.get(links["Acknowledge"])).status_code == 200  # scanners repeat
    state = await status(handle)
    assert (state.status, state.link_tokens_used) == ("triggered", [])
    assert not [e for e in state.timeline if e.kind == "acknowledged"]

    done = await page_door.http.post(links["Acknowledge"])
    assert done.status_code == 200, done.text
    state = await status(handle)
    assert (state.status, state.acknowledged_by) == ("acknowledged", "Alice Ng")
    (ack,) = [e for e in state.timeline if e.kind == "acknowledged"]
    assert ack.attribution == "Alice Ng via email link"

    again = await page_door.http.post(links["Acknowledge"])
    assert again.status_code == 409
    assert "this link has already been used" in again.text
    shown_again = await page_door.http.get(links["Acknowledge"])
    assert shown_again.status_code == 409
    assert len((await status(handle)).link_tokens_used) == 1


async def test_escalate_link_pages_the_next_tier_as_the_contact(page_door) -> None:
    handle, links = await opened(page_door)
    done = await page_door.http.post(links["Escalate"])
    assert done.status_code == 200, done.text
    state = await wait_for(handle, lambda s: s.tier == 2)
    escalated = [e for e in state.timeline if e.actor == "Alice Ng"]
    assert escalated and all(e.via == "email link" for e in escalated)
    assert "escalated from the email link" in escalated[0].detail


def token_of(path: str) -> str:
    return path.rsplit("/", 1)[1]


async def test_a_tampered_or_foreign_link_is_refused_and_changes_nothing(page_door) -> None:
    handle, links = await opened(page_door)
    state = await status(handle)
    token = token_of(links["Acknowledge"])
    altered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    foreign_key = token_serializer("another-key-" + "x" * 32)
    foreign = foreign_key.dumps(_claim(state, "acknowledge", "Mallory"))
    for bad in (altered, foreign, "abc"):
        for method in ("GET", "POST"):
            answer = await page_door.http.request(method, f"/v1/actions/{bad}")
            assert answer.status_code == 400, (method, bad, answer.text)
            assert "This link is not valid" in answer.text
    assert (await status(handle)).status == "triggered"


class SignedYesterday(TimestampSigner):
    def get_timestamp(self) -> int:
        return super().get_timestamp() - int(timedelta(hours=25).total_seconds())


async def test_an_expired_link_is_refused_and_changes_nothing(page_door) -> None:
    handle = await start_incident(page_door.worker, severity="critical")
    state = await status(handle)
    claim = _claim(state, "acknowledge", "Alice Ng")
    old = token_serializer(ACTION_KEY, SignedYesterday).dumps(claim)
    for method in ("GET", "POST"):
        answer = await page_door.http.request(method, f"/v1/actions/{old}")
        assert answer.status_code == 410
        assert "This link has expired" in answer.text
    assert (await status(handle)).status == "triggered"


async def test_wrong_verb_and_wrong_incident_are_refused(page_door) -> None:
    handle = await start_incident(page_door.worker, severity="critical")
    state = await status(handle)
    signer = token_serializer(ACTION_KEY)
    resolve = signer.dumps(_claim(state, "resolve", "Alice Ng"))
    answer = await page_door.http.post(f"/v1/actions/{resolve}")
    assert answer.status_code == 400 and "cannot act on an incident" in answer.text
    links = ActionLinks(ACTION_KEY, PUBLIC_URL)
    earlier = links.mint(state.incident_id, state.opened_at - timedelta(days=1), "acknowledge", "x")
    for method in ("GET", "POST"):
        answer = await page_door.http.request(method, f"/v1/actions/{earlier}")
        assert answer.status_code == 409, answer.text
        assert "this link belongs to another incident" in answer.text
    assert (await status(handle)).status == "triggered"


def _claim(state: IncidentState, verb: str, contact: str) -> dict[str, str]:
    return {
        "incident_id": state.incident_id,
        "opened_at": state.opened_at.isoformat(),
        "verb": verb,
        "contact": contact,
        "token_id": "0123456789abcdef",
    }


async def test_neither_the_key_nor_a_token_nor_the_email_enters_history(page_door) -> None:
    handle, links = await opened(page_door)
    assert (await page_door.http.post(links["Acknowledge"])).status_code == 200
    raw = (await handle.fetch_history()).to_json()
    history = raw + "\n".join(_decoded(json.loads(raw)))
    assert "alice@example.com" in history  # the search can find what history does hold
    assert "Each link asks you to confirm" not in history  # nor the rendered email
    token = token_of(links["Escalate"])
    for secret in (ACTION_KEY, token, token_of(links["Acknowledge"]), "/v1/actions/", PUBLIC_URL):
        assert secret not in history
