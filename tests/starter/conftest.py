"""Shared by the starter tests: a real HTTP server for calendar feeds."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "escalation" / "fixtures"
"""Holds database-oncall.ics, an iCalendar feed as Google Calendar and Outlook write them."""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@pytest.fixture
def feed_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving the fixtures folder; yields its base URL."""
    with serve(FIXTURES) as url:
        yield url


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving `directory` until the block ends; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
