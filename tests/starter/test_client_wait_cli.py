"""`escalation wait-for-client` and `client-replied` against a real incident on the dev server."""

from __future__ import annotations

import asyncio

from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from starter.cli import app
from tests.workflows.helpers import start_incident, status

runner = CliRunner()


async def test_the_cli_pauses_and_resumes_a_clients_clock(
    dev_server_env: WorkflowEnvironment, make_worker
) -> None:
    worker = make_worker(dev_server_env.client)
    env = {
        "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": dev_server_env.client.namespace,
        "TEMPORAL_CONFIG_FILE": "/nonexistent.toml",
        "ESCALATION_USER": "carol",
    }

    def cli(*args: str) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    async with worker.worker:
        handle = await start_incident(worker, clients_affected=["acme"])
        args = ["--client", "acme", "--reason", "asked for their proxy logs"]
        await asyncio.to_thread(cli, "wait-for-client", handle.id, *args)
        waiting = (await status(handle)).client_clocks[0].waiting
        again = await asyncio.to_thread(
            runner.invoke, app, ["wait-for-client", handle.id, *args], env=env
        )
        await asyncio.to_thread(cli, "client-replied", handle.id, "--client", "ACME Corp")
        state = await status(handle)

    assert waiting is not None and (waiting.by, waiting.reason) == (
        "carol",
        "asked for their proxy logs",
    )
    assert again.exit_code != 0 and "already waiting on ACME Corp" in again.output
    [pause] = state.client_clocks[0].pauses
    assert pause.ended_by == "carol"
