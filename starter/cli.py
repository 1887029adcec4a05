"""The `escalation` command: parse, call the starter's client functions, render. Nothing else.

Each concern registers its commands from its own module; every failure is one `error:` line on
stderr and exit code 1.
"""

from __future__ import annotations

import contextlib
import os
import sys

import typer

from starter import (
    analytics_cli,
    archive_cli,
    client_wait_cli,
    look_cli,
    oncall_cli,
    run_cli,
    verb_cli,
)
from starter.cli_support import local_policy, run
from starter.errors import explain
from starter.serve_cli import register as register_front_door

app = typer.Typer(
    name="escalation",
    help="Incident escalation on Temporal: open incidents, act on them, run the worker.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(run_cli.policy_commands, name="policy")
oncall_cli.register(app)
app.add_typer(verb_cli.commands)
app.add_typer(client_wait_cli.commands)
app.add_typer(look_cli.commands)
app.add_typer(run_cli.commands)
register_front_door(app)
archive_cli.register(app, run)
analytics_cli.register(app, look_cli.since_window, local_policy)


def main() -> None:
    """Console entry point (`escalation`).

    Exits with `os._exit` once output is flushed: at interpreter shutdown the Temporal client's
    native threads can still touch Python and abort the process ("PyGILState_Release ...
    finalizing"), which would turn a successful command into a crash. Nothing is left to clean up.
    """
    try:
        app()
        code = 0
    except SystemExit as exit_:
        if isinstance(exit_.code, str):
            print(exit_.code, file=sys.stderr)
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except Exception as error:  # raised outside `_run`: settings, rendering, writing the output
        print(f"error: {explain(error)}", file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # output to a full disk or a closed pipe
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
