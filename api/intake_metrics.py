"""Intake requests counted for the process's metrics endpoint, by sender kind and HTTP status.

The label is the kind of intake the path serves (a fixed set), never the integration's name or
anything the caller sent, so the series stay bounded whatever arrives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, Request, Response

from wiring.metrics import record_intake

SERVER_ERROR = 500


def count_intake(app: FastAPI, kinds: Mapping[str, str]) -> None:
    """Count every request to one of `kinds`' paths, including the ones refused or failed."""

    @app.middleware("http")
    async def _count(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        kind = kinds.get(request.url.path)
        try:
            response = await call_next(request)
        except Exception:
            if kind is not None:
                record_intake(kind, SERVER_ERROR)
            raise
        if kind is not None:
            record_intake(kind, response.status_code)
        return response
