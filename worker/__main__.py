"""`python -m worker`: run one escalation worker against the configured Temporal service."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from activities.transports import TransportConfigError
from escalation.contract import TASK_QUEUE
from escalation.policy_loader import PolicyInvalid
from worker.connection import connect
from worker.metrics import MetricsAddressInvalid, install_metrics_from_environment
from worker.runner import run_worker
from workflows.sandbox import SandboxSettingInvalid, sandbox_from_environment


async def _main() -> None:
    sandbox_from_environment()  # a bad setting is one line before any connection attempt
    install_metrics_from_environment()  # before connecting: the client reports to its runtime
    client = await connect()
    await run_worker(client, task_queue=os.environ.get("ESCALATION_TASK_QUEUE") or TASK_QUEUE)


def main() -> None:
    """Entry point; a bad policy or an unreachable server is one clear line and exit 1.

    Exits with `os._exit` once output is flushed, as the `escalation` CLI does: at interpreter
    shutdown the Temporal client's native threads can still touch Python and abort the process
    ("PyGILState_Release ... finalizing", SIGABRT, exit -6; temporalio/sdk-python#300), which
    would turn a clean SIGTERM drain into a crash. By then the worker has drained its activities
    and nothing is left to clean up.
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    code = 0
    try:
        asyncio.run(_main())
    except (
        PolicyInvalid,
        TransportConfigError,
        SandboxSettingInvalid,
        MetricsAddressInvalid,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        code = 1
    except RuntimeError as error:
        print(f"error: cannot reach Temporal: {error}", file=sys.stderr)
        code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
