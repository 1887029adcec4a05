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
from worker.runner import run_worker


async def _main() -> None:
    client = await connect()
    await run_worker(client, task_queue=os.environ.get("ESCALATION_TASK_QUEUE") or TASK_QUEUE)


def main() -> None:
    """Entry point; a bad policy or an unreachable server is one clear line and exit 1."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        asyncio.run(_main())
    except (PolicyInvalid, TransportConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except RuntimeError as error:
        print(f"error: cannot reach Temporal: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
