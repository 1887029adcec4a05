"""A lean HTTP/1.1 sender for the intake benchmark: keep-alive connections, JSON bodies.

A monitor posts from its own machine, in Go or the like; its cost is not ours. httpx on the
benchmark's own cores spends more CPU per request than the front door does, which would be
measured as the front door's overhead. This sender writes the request bytes and reads the
status line, headers and body of the answer, nothing more.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


class SenderPool:
    """`size` keep-alive connections to one host; each request borrows one."""

    def __init__(self, host: str, port: int, headers: dict[str, str], size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self._opened = 0

    async def post(self, path: str, body: Any) -> tuple[int, bytes]:
        """(status, body) of one POST of `body` as JSON."""
        payload = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.extra}"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode()
        for fresh in (False, True):  # an idle connection the server closed: retry on a new one
            reader, writer = await self._borrow(fresh)
            try:
                writer.write(head + payload)
                status_line = await reader.readline()
                if not status_line:
                    self._drop(writer)
                    continue
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                answer = await reader.readexactly(length)
            except BaseException:
                self._drop(writer)
                raise
            self._idle.put_nowait((reader, writer))
            return int(status_line.split()[1]), answer
        raise ConnectionError(f"{self.host}:{self.port} closed a new connection at once")

    def _drop(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        self._opened -= 1

    async def _borrow(self, fresh: bool) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if fresh or (self._idle.empty() and self._opened < self.size):
            self._opened += 1
            return await asyncio.open_connection(self.host, self.port)
        return await self._idle.get()

    async def close(self) -> None:
        while not self._idle.empty():
            _, writer = self._idle.get_nowait()
            writer.close()
