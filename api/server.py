"""Running the app under uvicorn: on its own (`escalation serve`) or beside the dev stack."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from temporalio.client import Client

from api.app import create_app
from api.policy_source import PolicySource
from api.settings import HttpSettings
from wiring.temporal import DATA_CONVERTER, client_config

STARTUP_SECONDS = 30.0


async def lazy_client() -> Client:
    """The client from the SDK's environment config, connecting on first use: the service
    starts (and answers 503 on /readyz) while Temporal is down, and recovers when it is back."""
    return await Client.connect(**client_config(), data_converter=DATA_CONVERTER, lazy=True)


class _EmbeddedServer(uvicorn.Server):
    """Leaves signals to the process it runs in (the dev stack handles Ctrl-C itself)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpService:
    """The front door on its address; `port` is the bound one (address port 0 picks a free one)."""

    def __init__(
        self,
        client: Client,
        settings: HttpSettings,
        policy_file: Path,
        *,
        task_queue: str | None = None,
        embedded: bool = False,
    ) -> None:
        app = create_app(client, PolicySource(policy_file), settings, task_queue)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self.settings = settings
        self.server = _EmbeddedServer(config) if embedded else uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Serve in the background; returns once the socket listens (or the start failed)."""
        self.task = asyncio.create_task(self.server.serve())
        deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
        while not self.server.started:
            if self.task.done():
                with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot bind
                    await self.task
                raise OSError(
                    f"the HTTP front door cannot listen on {self.settings.address} (in use?): "
                    "set ESCALATION_HTTP_ADDRESS"
                )
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the HTTP service did not start within {STARTUP_SECONDS}s")
            await asyncio.sleep(0.02)

    @property
    def port(self) -> int:
        sockets = [s for server in self.server.servers for s in server.sockets]
        return int(sockets[0].getsockname()[1]) if sockets else self.settings.port

    @property
    def url(self) -> str:
        if self.settings.port == 0:
            return f"http://{self.settings.host}:{self.port}"
        return self.settings.public_url

    async def stop(self) -> None:
        """Finish requests in flight, then close."""
        self.server.should_exit = True
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


async def serve_forever(policy_file: Path, task_queue: str | None = None) -> None:
    """`escalation serve`: read the environment, start, serve until SIGINT or SIGTERM."""
    from api.settings import http_settings  # noqa: PLC0415 - settings errors come first

    settings = http_settings()
    client = await lazy_client()
    service = HttpService(client, settings, policy_file, task_queue=task_queue)
    try:
        await service.server.serve()
    except SystemExit:  # uvicorn exits when it cannot bind; say so in one line instead
        if service.server.started:
            raise
        raise OSError(f"cannot listen on {settings.address} (in use?)") from None
