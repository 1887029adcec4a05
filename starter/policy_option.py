"""The `--policy` option every command that reads the policy file takes, declared once so its
help and default read the same everywhere. Kept apart from cli_support: the commands that use it
do not all need a Temporal connection."""

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
