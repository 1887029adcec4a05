"""`python -m worker`: run one escalation worker against the configured Temporal service."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from activities.transports import TransportConfigError
from escalation.environment import SettingInvalid
from escalation.policy_loader import PolicyInvalid
from wiring.metrics import MetricsAddressInvalid, install_metrics_from_environment
from wiring.search_attributes import SearchAttributesUnusable
from wiring.temporal import TemporalUnreachable, connect
from worker.runner import run_worker
from worker.settings import worker_settings

log = logging.getLogger("escalation.worker")


async def _main() -> None:
    settings = worker_settings()  # every setting is checked before any connection attempt
    install_metrics_from_environment()  # before connecting: the client reports to its runtime
    client = await connect(config=settings.client)
    await run_worker(client, settings=settings)


def explain(error: Exception) -> str:
    """The one line a failed start prints after `error:`: the real cause first."""
    if isinstance(error, PolicyInvalid):
        return error.one_line()
    if isinstance(
        error,
        TransportConfigError
        | SettingInvalid
        | TemporalUnreachable
        | SearchAttributesUnusable
        | MetricsAddressInvalid,
    ):
        return str(error)
    text = " ".join(str(error).split())
    return f"the worker stopped: {type(error).__name__}" + (f": {text}" if text else "")


def main() -> None:
    """Entry point; any failure to start or run is one `error:` line and exit 1.

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
    except Exception as error:
        log.debug("the worker stopped", exc_info=error)
        print(f"error: {explain(error)}", file=sys.stderr)
        code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
