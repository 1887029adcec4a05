"""A local stand-in for SendGrid and Twilio that speaks their wire format, so the real SDKs run.

It answers `POST /v3/mail/send` (202 with X-Message-Id) and Twilio's
`POST /2010-04-01/Accounts/{sid}/Messages.json` / `Calls.json` (201 with an SM... / CA... sid),
checks credentials the way the providers do, records every request, and can be scripted to fail
a path N times (any status, headers, body, or a slow answer) before it succeeds again.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from activities.delivery import Transport
from activities.sendgrid_transport import SendGridTransport, sendgrid_client
from activities.twilio_client import twilio_client
from activities.twilio_transport import TwilioSmsTransport, TwilioVoiceTransport
from escalation.contacts import Channel
from tests.fakes.local_server import LocalServer

SENDGRID_PATH = "/v3/mail/send"
MESSAGES = "Messages.json"
CALLS = "Calls.json"
FAKE_SENDGRID_API_KEY = "SG.fake-secret-reliability.Xq7pL2vR9sT4wZ8mN3bK6dF1hJ5cG0aE"
FAKE_TWILIO_ACCOUNT_SID = "AC" + "5e1ab7c0d2f34e6a" * 2
FAKE_TWILIO_AUTH_TOKEN = "fake-token-reliability-9c4e7a1f3b8d2e6c"
"""Distinctive enough that a test can search logs and histories for them (tests/reliability)."""
_TWILIO_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/(?P<resource>Messages|Calls)\.json$"
)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived: header names lower-cased, body kept raw and parsed."""

    method: str
    path: str
    headers: dict[str, str]
    raw_body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()

    @property
    def json(self) -> Any:
        return json.loads(self.raw_body)

    @property
    def form(self) -> dict[str, str]:
        """Form fields; a repeated field keeps its last value (the SDKs send each once)."""
        parsed = parse_qs(self.raw_body.decode(), keep_blank_values=True, strict_parsing=False)
        return {name: values[-1] for name, values in parsed.items()}

    @property
    def body(self) -> Any:
        return self.json if self.content_type == "application/json" else self.form


@dataclass(frozen=True)
class Fault:
    """A scripted answer: a status with headers and body, after an optional delay."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to hold the answer (to make a client time out); cut short when the fake stops."""

    @property
    def payload(self) -> bytes:
        """The body on the wire: JSON, or nothing."""
        return b"" if self.body is None else json.dumps(self.body).encode()


def sendgrid_error(
    status: int, message: str, headers: dict[str, str] | None = None, field: str | None = None
) -> Fault:
    """SendGrid's error body as its spec declares it: `{"errors": [{"message", "field"}]}`."""
    error = {"message": message} | ({"field": field} if field else {})
    return Fault(status, {"errors": [error]}, headers or {})


def twilio_error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> Fault:
    """Twilio's 2010 error body: `{"code", "message", "more_info", "status"}`."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Fault(status, body, headers or {})


def slow(seconds: float) -> Fault:
    """A success that arrives too late for a client with a shorter timeout."""
    return Fault(0, delay=seconds)


class FakeProviders:
    """The fake server on 127.0.0.1 at a free port; use as a context manager."""

    def __init__(
        self,
        *,
        sendgrid_api_key: str = FAKE_SENDGRID_API_KEY,
        twilio_account_sid: str = FAKE_TWILIO_ACCOUNT_SID,
        twilio_auth_token: str = FAKE_TWILIO_AUTH_TOKEN,
    ) -> None:
        self.sendgrid_api_key = sendgrid_api_key
        self.twilio_account_sid = twilio_account_sid
        self.twilio_auth_token = twilio_auth_token
        self._requests: list[RecordedRequest] = []
        self._answers: list[tuple[RecordedRequest, Fault]] = []
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._http = LocalServer(_handler_for(self), "fake-providers")

    @property
    def url(self) -> str:
        return self._http.url

    def transports(self, from_number: str = "+15555550100") -> dict[Channel, Transport]:
        """Every channel through the real SendGrid and Twilio SDKs, pointed at this fake."""
        twilio = twilio_client(self.twilio_account_sid, self.twilio_auth_token, base_url=self.url)
        return {
            "email": SendGridTransport(
                sendgrid_client(self.sendgrid_api_key, self.url), "pager@example.com"
            ),
            "sms": TwilioSmsTransport(twilio, from_number=from_number),
            "voice": TwilioVoiceTransport(twilio, from_number=from_number),
        }

    def __enter__(self) -> FakeProviders:
        self._http.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._http.stop()

    def inject(self, path_suffix: str, fault: Fault, times: int = 1) -> None:
        """The next `times` requests whose path ends with `path_suffix` get `fault`."""
        with self._changed:
            self._faults[path_suffix].extend([fault] * times)

    def recover(self) -> None:
        """Drop every scripted fault still queued: the provider is healthy again."""
        with self._changed:
            self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._changed:
            return list(self._requests)

    def requests_to(self, path_suffix: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path.endswith(path_suffix)]

    @property
    def answers(self) -> list[tuple[RecordedRequest, Fault]]:
        """Each request with the answer it got, for checking the fake against the specs."""
        with self._changed:
            return list(self._answers)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until `count` requests arrived, or fail after `timeout` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._requests) >= count, timeout):
                raise TimeoutError(f"{len(self._requests)} of {count} requests within {timeout}s")
            return list(self._requests)

    def _record(self, request: RecordedRequest) -> Fault | None:
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()
            for suffix, faults in self._faults.items():
                if faults and request.path.endswith(suffix):
                    return faults.popleft()
        return None

    def _answered(self, request: RecordedRequest, answer: Fault) -> None:
        with self._changed:
            self._answers.append((request, answer))

    def _answer(self, request: RecordedRequest) -> Fault:
        """What the real provider would say to a well-formed request."""
        if request.method != "POST":
            return Fault(405, {"message": "method not allowed"})
        if request.path == SENDGRID_PATH:
            return self._sendgrid(request)
        match = _TWILIO_PATH.match(request.path)
        if match:
            return self._twilio(request, match["sid"], match["resource"])
        return Fault(404, {"message": "not found"})

    def _sendgrid(self, request: RecordedRequest) -> Fault:
        if request.headers.get("authorization") != f"Bearer {self.sendgrid_api_key}":
            return sendgrid_error(401, "The provided authorization grant is invalid")
        return Fault(202, None, {"X-Message-Id": f"fake{uuid.uuid4().hex[:18]}"})

    def _twilio(self, request: RecordedRequest, sid: str, resource: str) -> Fault:
        expected = base64.b64encode(
            f"{self.twilio_account_sid}:{self.twilio_auth_token}".encode()
        ).decode()
        if sid != self.twilio_account_sid or request.headers.get("authorization") != (
            f"Basic {expected}"
        ):
            return twilio_error(401, 20003, "Authenticate")
        form = request.form
        prefix = "SM" if resource == "Messages" else "CA"
        instance = {
            "sid": prefix + uuid.uuid4().hex,
            "account_sid": sid,
            "to": form.get("To"),
            "from": form.get("From"),
            "status": "queued",
            "date_created": formatdate(usegmt=True),
            "uri": f"/2010-04-01/Accounts/{sid}/{resource}/{prefix}.json",
        }
        if resource == "Messages":
            instance |= {
                "body": form.get("Body"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "num_segments": "1",
                "direction": "outbound-api",
            }
        return Fault(201, instance)


def _handler_for(fake: FakeProviders) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeProviders/1.0"

        def do_POST(self) -> None:
            self._handle()

        def do_GET(self) -> None:
            self._handle()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the recorded requests are the log."""

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = RecordedRequest(
                method=self.command,
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                raw_body=self.rfile.read(length),
            )
            fault = fake._record(request)
            if fault is not None and fault.delay:
                fake._stopping.wait(fault.delay)
            answer = fault if fault is not None and fault.status else fake._answer(request)
            fake._answered(request, answer)
            self._send(answer)

        def _send(self, answer: Fault) -> None:
            payload = answer.payload
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if payload:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing left to say

    return Handler


def closed_port_url() -> str:
    """A base URL where nothing listens, so a connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
