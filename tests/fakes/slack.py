"""A local stand-in for Slack's Web API, so the real `slack_sdk` runs against it.

It answers `POST /api/<method>` the way Slack does (HTTP 200 with `ok: true` or `ok: false`
and an `error` code; 429 with `Retry-After` and `error: ratelimited` when rate limited), checks
the bot token, keeps channels and messages, and records every call. It also takes the posts
Slack's `response_url` receives (`POST /response/<id>`), for the ephemeral replies to clicks.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import zlib
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.local_server import LocalServer

FAKE_SLACK_BOT_TOKEN = "xoxb-fake-token-for-tests-0001"
FAKE_SLACK_SIGNING_SECRET = "fake-signing-secret-for-tests-0001"


@dataclass(frozen=True)
class SlackCall:
    """One Web API call: the method, its arguments (form or JSON) and when it arrived."""

    method: str
    args: dict[str, Any]
    at: float
    ok: bool
    answer: dict[str, Any] = field(default_factory=dict)
    authorization: str = ""
    """The Authorization header as it arrived (where the bot token must be)."""


@dataclass(frozen=True)
class SlackFault:
    """A scripted answer: an HTTP status and Slack error code, with Retry-After for 429."""

    status: int = 200
    error: str = "internal_error"
    retry_after: int | None = None


RATELIMITED = SlackFault(429, "ratelimited", retry_after=1)
OUTAGE = SlackFault(503, "service_unavailable")


@dataclass
class FakeSlack:
    """The fake on 127.0.0.1 at a free port; use as a context manager."""

    token: str = FAKE_SLACK_BOT_TOKEN
    calls: list[SlackCall] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    """Bodies posted to response URLs (replies to the clicker), in order."""
    taken: set[str] = field(default_factory=set)
    """Channel names that exist already: creating one answers `name_taken`."""
    down: SlackFault | None = None
    """While set, every Web API call gets this answer (an outage)."""

    def __post_init__(self) -> None:
        self._faults: dict[str, deque[SlackFault]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._lock = threading.Condition()
        self._http = LocalServer(_handler_for(self), "fake-slack")

    @property
    def url(self) -> str:
        return self._http.url

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL is set to."""
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    def __enter__(self) -> FakeSlack:
        self._http.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.stop()

    def fail(self, method: str, *faults: SlackFault) -> None:
        """The next calls of `method` get these answers, then it works again."""
        with self._lock:
            self._faults[method].extend(faults)

    def called(self, method: str) -> list[SlackCall]:
        """The calls of a method Slack answered `ok: true`, in order."""
        with self._lock:
            return [c for c in self.calls if c.method == method and c.ok]

    def _answer(self, method: str, args: dict[str, Any], token: str) -> tuple[int, dict, dict]:
        with self._lock:
            fault = self.down or (self._faults[method].popleft() if self._faults[method] else None)
            status, body, headers = self._decide(method, args, token, fault)
            call = SlackCall(
                method, args, time.monotonic(), bool(body["ok"]), body, f"Bearer {token}"
            )
            self.calls.append(call)
            self._lock.notify_all()
            return status, body, headers

    def _decide(
        self, method: str, args: dict[str, Any], token: str, fault: SlackFault | None
    ) -> tuple[int, dict, dict]:
        if token != self.token:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            return fault.status, {"ok": False, "error": fault.error}, headers
        if method == "conversations.create":
            name = str(args.get("name"))
            if name in self.taken:
                return 200, {"ok": False, "error": "name_taken"}, {}
            self.taken.add(name)
            return 200, {"ok": True, "channel": {"id": f"C{next(self._ids):08d}", "name": name}}, {}
        if method == "chat.postMessage":
            channel = str(args.get("channel"))
            ts = f"{int(time.time())}.{next(self._ids):06d}"
            return 200, {"ok": True, "channel": _channel_id(channel), "ts": ts}, {}
        if method == "chat.update":
            return 200, {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}, {}
        return 200, {"ok": True}, {}

    def _respond(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.responses.append(body)
            self._lock.notify_all()


def _channel_id(channel: str) -> str:
    """A name (`#incidents`) answers with a stable id, as Slack resolves it."""
    return channel if not channel.startswith("#") else f"C{zlib.crc32(channel.encode()):010d}"


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.path.startswith("/response/"):
                fake._respond(json.loads(raw or b"{}"))
                return self._send(200, {"ok": True}, {})
            if not self.path.startswith("/api/"):
                return self._send(404, {"ok": False, "error": "unknown_method"}, {})
            method = self.path.removeprefix("/api/").split("?")[0]
            token = self.headers.get("authorization", "").removeprefix("Bearer ")
            args = _arguments(raw, self.headers.get("content-type", ""))
            status, body, headers = fake._answer(method, args, token)
            self._send(status, body, headers)

        def _send(self, status: int, body: dict, headers: dict[str, str]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _arguments(raw: bytes, content_type: str) -> dict[str, Any]:
    if content_type.startswith("application/json"):
        return json.loads(raw or b"{}")
    return {name: values[-1] for name, values in parse_qs(raw.decode()).items()}
