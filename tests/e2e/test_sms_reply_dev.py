"""End to end through `escalation dev`: an SMS page lands in the outbox with its reply code, a
signed reply acknowledges it, and `escalation status` shows the channel.

The dev stack has no Twilio account (SMS go to the outbox), and a TWILIO_AUTH_TOKEN without its
account SID stops the worker; the webhook's signing token is given as the alternate token, which
only the HTTP service reads.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from starter.devserver import find_executable, free_port
from tests.api.conftest import KEYS
from tests.api.twilio_support import ALICE, ALTERNATE_TOKEN, REPLY_LINE, inbound_sms, signature
from tests.e2e.dev_stack import dev_environment, running_dev
from tests.polling import poll

pytestmark = pytest.mark.e2e


async def test_sms_reply_through_escalation_dev(tmp_path: Path) -> None:
    port, ui_port, http_port = free_port(), free_port(), free_port()
    public = f"http://127.0.0.1:{http_port}"
    outbox = tmp_path / "outbox.jsonl"
    env = dev_environment(
        tmp_path,
        http_port,
        ESCALATION_PUBLIC_URL=public,
        TWILIO_AUTH_TOKEN_ALTERNATE=ALTERNATE_TOKEN,
    )
    for variable in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        env.pop(variable, None)
    async with running_dev(tmp_path, env, port, ui_port):
        async with httpx.AsyncClient(base_url=public, timeout=30) as http:
            opened = await http.post(
                "/v1/alerts",
                json={"title": "checkout failing", "severity": "critical"},
                headers={"Authorization": f"Bearer {KEYS['generic']}"},
            )
            assert opened.status_code == 202, opened.text
            incident = opened.json()["incidents"][0]["workflow_id"]

            async def sms_pages() -> list[str]:
                lines = outbox.read_text().splitlines() if outbox.exists() else []
                entries = [json.loads(line) for line in lines]
                return [
                    e["text"]
                    for e in entries
                    if e["channel"] == "sms" and e["incident_id"] == incident
                ]

            [page] = await poll(sms_pages, bool, "SMS page in the outbox", 60)
            code = REPLY_LINE.search(page)
            assert code is not None, page
            form = inbound_sms(ALICE, f"{code[1]}a")
            url = f"{public}/v1/twilio/sms"
            answer = await http.post(
                "/v1/twilio/sms",
                content=urlencode(form),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature(url, form, ALTERNATE_TOKEN),
                },
            )
        assert answer.status_code == 200, answer.text
        assert f"Acknowledged {incident}" in answer.text
        status = await asyncio.to_thread(
            subprocess.run,
            [find_executable("escalation"), "status", incident],
            env=env | {"TEMPORAL_ADDRESS": f"127.0.0.1:{port}"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert status.returncode == 0, status.stdout + status.stderr
        assert re.search(r"alice via SMS reply", status.stdout), status.stdout
