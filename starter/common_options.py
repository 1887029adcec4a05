"""The options several commands take, declared once so their help and defaults read the same
everywhere. Kept apart from cli_support: not every command that takes them needs a Temporal
connection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy", help="Policy file (default: $ESCALATION_POLICY, else examples/policy.yaml)"
    ),
]
TaskQueueOption = Annotated[
    str,
    typer.Option(
        "--task-queue", envvar="ESCALATION_TASK_QUEUE", help="Task queue the incidents run on"
    ),
]
