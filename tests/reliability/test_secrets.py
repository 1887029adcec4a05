"""Secrets never reach workflow history or logs, along a whole incident's life.

The worker runs with (fake) SendGrid, Twilio and Slack credentials and its root logger at DEBUG,
the server logs at INFO, and an incident lives through opening, pages by SMS and email, an
acknowledgment, a client update, resolution, its review and closing (told in Slack too). Each provider also answers
once with an error text that echoes the credential back, so provider error redaction is on the
path too. Afterwards every workflow's history (payloads decoded), both logs, the outbox and
every command's output are searched for each secret and its encodings.

The search is shown able to fail: the same search finds every secret in the requests the fake
providers recorded, where the credentials must be.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.providers import SENDGRID_PATH, FakeProviders, sendgrid_error, twilio_error
from tests.fakes.slack import FAKE_SLACK_BOT_TOKEN, FakeSlack
from tests.polling import poll
from tests.processes import (
    Stack,
    WorkerProcess,
    dev_stack,
    escalation,
    open_checkout,
    signal_as_the_ui_does,
    status_of,
)
from tests.reliability.conftest import (
    SENDGRID_API_KEY,
    TWILIO_AUTH_TOKEN,
    provider_env,
    twilio_basic_auth,
)
from tests.slack_support import slack_environment

pytestmark = pytest.mark.e2e

SECRETS = {
    "SendGrid API key": SENDGRID_API_KEY,
    "SendGrid Authorization header": f"Bearer {SENDGRID_API_KEY}",
    "Twilio auth token": TWILIO_AUTH_TOKEN,
    "Twilio Basic credentials (base64 of SID:token)": twilio_basic_auth(),
    "SendGrid key, cut short": SENDGRID_API_KEY.split(".")[-1][:12],
    "Twilio token, cut short": TWILIO_AUTH_TOKEN.split("-")[-1][:12],
    "Slack bot token": FAKE_SLACK_BOT_TOKEN,
    "Slack bot token, cut short": FAKE_SLACK_BOT_TOKEN[:12],
}
"""Each secret as it could leak: whole, in the header that carries it, or truncated."""

KEY = "secrets-life"
WORKFLOW_ID = f"incident-{KEY}"


async def test_no_secret_in_any_history_log_or_output(
    tmp_path: Path, providers: FakeProviders
) -> None:
    providers.inject(
        SENDGRID_PATH,
        sendgrid_error(500, f"upstream refused key {SENDGRID_API_KEY}, try again"),
    )
    providers.inject(
        "/Messages.json", twilio_error(503, 20503, f"token {TWILIO_AUTH_TOKEN} not ready")
    )
    with FakeSlack() as slack:
        env = provider_env(providers) | slack_environment(slack)
        async with dev_stack(tmp_path, env=env, server_log_level="info") as stack:
            worker = await WorkerProcess.start(stack, log_level="DEBUG")
            await worker.wait_until_polling()
            outputs = await _incident_life(stack)
            histories = await _histories(stack)
            await worker.terminate()
    server_log = stack.server.log_file.read_text(encoding="utf-8", errors="replace")

    # The credentials were in play, and this search finds them where they must be.
    wire = "\n".join(
        "\n".join(
            [
                json.dumps(request.headers),
                request.path,
                request.raw_body.decode(),
                *_decoded([value.split()[-1] for value in request.headers.values() if value]),
            ]
        )
        for request in providers.requests
    )
    wire += "\n".join(call.authorization for call in slack.calls)
    assert slack.called("chat.update"), "the incident told its story in Slack"
    assert _leaks({"provider requests": wire}) == {(name, "provider requests") for name in SECRETS}
    # The echoing errors were answered, reached history, and were redacted there.
    echoed = [answer for _, answer in providers.answers if answer.status in (500, 503)]
    assert len(echoed) == 2
    assert any("[redacted]" in raw for raw, _ in histories.values())
    # Payloads are base64 in the JSON: the search reads them decoded.
    raw, decoded = histories[f"history IncidentWorkflow {WORKFLOW_ID}"]
    assert "alice@example.com" in decoded and "alice@example.com" not in raw

    types = {name.split(" ")[1] for name in histories}
    assert {"IncidentWorkflow", "PostIncidentReviewWorkflow", "ContactThrottleWorkflow"} <= types
    assert "accepted by SendGrid" in worker.log() and "accepted by Twilio" in worker.log()
    assert " DEBUG " in worker.log()
    corpus = {
        **{name: raw + "\n" + decoded for name, (raw, decoded) in histories.items()},
        "worker log": worker.log(),
        "server log": server_log,
        "outbox": stack.outbox.read_text() if stack.outbox.exists() else "",
        **{f"output of escalation {command}": text for command, text in outputs.items()},
    }
    assert _leaks(corpus) == set()


async def _incident_life(stack: Stack) -> dict[str, str]:
    """Open, page (SMS and email), acknowledge, update clients, resolve, review, close; returns
    what each command printed."""
    outputs: dict[str, str] = {}

    async def cli(*args: str) -> None:
        finished = await escalation(stack, *args)
        assert finished.code == 0, finished.stderr
        outputs[" ".join(args)] = finished.stdout + finished.stderr

    await cli(*open_checkout(KEY))
    await poll(
        lambda: status_of(stack, KEY),
        lambda state: (
            {n["channel"] for n in state["notifications"] if n["status"] == "sent"}
            >= {"sms", "email"}
        ),
        "pages by SMS and email",
    )
    await cli("ack", KEY, "--by", "alice", "--note", "on it")
    await cli("update", KEY, "--by", "alice", "--message", "fix deploying")
    await cli(
        "resolve",
        KEY,
        "--by",
        "alice",
        "--cause",
        "expired cert",
        "--resolution",
        "rotated the cert",
        "--prevent",
        "alert before expiry",
    )
    state = await poll(
        lambda: status_of(stack, KEY),
        lambda state: state["review_workflow_id"] is not None,
        "the review to start",
    )
    await signal_as_the_ui_does(
        stack,
        state["review_workflow_id"],
        "complete_review",
        '{"by": "bob", "summary": "cert rotation is automated"}',
    )
    await poll(
        lambda: status_of(stack, KEY),
        lambda state: state["status"] == "closed",
        "the incident to close",
    )
    await cli("status", KEY, "--json")
    await cli("report", KEY)
    return outputs


async def _histories(stack: Stack) -> dict[str, tuple[str, str]]:
    """Every workflow's history as JSON and its payloads decoded, keyed by type and id."""
    found: dict[str, tuple[str, str]] = {}
    async for execution in stack.client.list_workflows():
        handle = stack.client.get_workflow_handle(execution.id, run_id=execution.run_id)
        history = (await handle.fetch_history()).to_json()
        decoded = "\n".join(_decoded(json.loads(history)))
        found[f"history {execution.workflow_type} {execution.id}"] = (history, decoded)
    return found


def _decoded(node: Any) -> Iterator[str]:
    """Payload bytes are base64 in history JSON: decode every string that is base64."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _decoded(value)
    elif isinstance(node, list):
        for value in node:
            yield from _decoded(value)
    elif isinstance(node, str) and len(node) >= 8:
        with contextlib.suppress(binascii.Error, ValueError):
            yield base64.b64decode(node, validate=True).decode("utf-8", errors="replace")


def _leaks(corpus: dict[str, str]) -> set[tuple[str, str]]:
    """(secret, where) for every secret found in every text of the corpus."""
    return {
        (name, where)
        for where, text in corpus.items()
        for name, secret in SECRETS.items()
        if secret in text
    }
