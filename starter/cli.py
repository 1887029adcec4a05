"""The `escalation` command: parse, call starter.incidents, render. Nothing else lives here.

Every verb goes to the incident as an update, so the operator hears at once whether it was
accepted or why not. Every failure is one `error:` line on stderr and exit code 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, TypeAdapter, ValidationError
from rich.console import Console
from temporalio.client import Client, RPCTimeoutOrCancelledError

from activities.archive.reads import IncidentQuery
from activities.report_rendering import render_report
from escalation.alerts import Alert
from escalation.commands import (
    Acknowledge,
    AddNote,
    ChangeSeverity,
    Escalate,
    PostUpdate,
    Reopen,
    Resolve,
    StartReview,
)
from escalation.contract import TASK_QUEUE
from escalation.durations import Duration
from escalation.environment import seconds_setting
from escalation.policy import Policy
from escalation.policy_loader import PolicyInvalid, load_policy, policy_path
from escalation.report import build_report
from escalation.stats import TOP_CAUSES, incident_stats
from starter import analytics_cli, archive_cli, oncall_cli, render
from starter.errors import NoAnswer, explain
from starter.incidents import (
    completed_incidents,
    incident_record,
    incident_status,
    list_incidents,
    open_incident,
    send_verb,
)
from starter.serve_cli import register as register_front_door
from worker.connection import connect
from worker.search_attributes import register_search_attributes

T = TypeVar("T")

TIMEOUT_SETTING = "ESCALATION_CLI_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 30.0


def _answer_timeout() -> float:
    """How long a verb, query or listing may take; without a worker an update would wait forever.

    Read when a command needs it, so a bad value is that command's `error:` line."""
    return seconds_setting(TIMEOUT_SETTING, DEFAULT_TIMEOUT_SECONDS)


app = typer.Typer(
    name="escalation",
    help="Incident escalation on Temporal: open incidents, act on them, run the worker.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
policy_app = typer.Typer(help="Work with escalation policy files.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
oncall_cli.register(app)

out = Console(highlight=False, soft_wrap=True)


def _help(model: type[BaseModel], name: str) -> str:
    """The field's own description: one text documents the CLI, the README and the UI."""
    return model.model_fields[name].description or name


IncidentArg = Annotated[str, typer.Argument(help="Incident key or workflow id (incident-<key>)")]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        envvar="ESCALATION_USER",
        help="Who is acting (default: $ESCALATION_USER, else your login name)",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON")]


def _actor(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "operator"


# -- running async work, with every failure as one line -------------------------------------------


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _run(work: Callable[[Client], Awaitable[T]], *, timeout: float | None = None) -> T:
    """Connect, do the work (bounded by a timeout), and turn any failure into `error: ...`."""

    async def connected() -> T:
        client = await connect()
        try:
            async with asyncio.timeout(timeout):
                return await work(client)
        except (TimeoutError, RPCTimeoutOrCancelledError):
            waited = f" within {timeout:.0f}s" if timeout else ""
            raise NoAnswer(
                f"no answer{waited}: is a worker running (`escalation worker`)? "
                "A verb sent meanwhile still applies once a worker picks it up"
            ) from None

    try:
        return asyncio.run(connected())
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as error:
        _fail(explain(error))


def _act(incident: str, verb: str, payload: dict[str, Any], as_json: bool) -> None:
    """Send one verb as an update and show the answer."""
    fields = {name: value for name, value in payload.items() if value is not None}
    result = _run(
        lambda client: send_verb(client, incident, verb, fields), timeout=_answer_timeout()
    )
    if as_json:
        render.print_json(result)
    else:
        render.command_result(out, result)


# -- reporting ------------------------------------------------------------------------------------


@app.command("open")
def open_(
    *,
    title: Annotated[str, typer.Option(help=_help(Alert, "title"))],
    service: Annotated[str, typer.Option(help=_help(Alert, "service"))],
    description: Annotated[str, typer.Option(help=_help(Alert, "description"))] = "",
    severity: Annotated[str | None, typer.Option(help=_help(Alert, "severity"))] = None,
    category: Annotated[str | None, typer.Option(help=_help(Alert, "category"))] = None,
    users: Annotated[int, typer.Option(help=_help(Alert, "users_affected"))] = 0,
    client: Annotated[
        list[str] | None,
        typer.Option("--client", help=_help(Alert, "clients_affected") + " (repeatable)"),
    ] = None,
    dedup_key: Annotated[str | None, typer.Option(help=_help(Alert, "dedup_key"))] = None,
    source: Annotated[str | None, typer.Option(help=_help(Alert, "source"))] = None,
    task_queue: Annotated[
        str, typer.Option(envvar="ESCALATION_TASK_QUEUE", help="Task queue of the workers")
    ] = TASK_QUEUE,
    as_json: JsonOption = False,
) -> None:
    """Report an incident (or another alert for an open one with the same dedup key)."""
    try:
        alert = Alert(
            title=title,
            service=service,
            description=description,
            severity=severity,
            category=category,
            users_affected=users,
            clients_affected=client or [],
            dedup_key=dedup_key,
            source=source or f"cli:{_actor(None)}",
        )
    except ValueError as error:
        _fail(explain(error))
    policy = _local_policy()
    opened = _run(
        lambda temporal: open_incident(temporal, alert, task_queue=task_queue, policy=policy),
        timeout=_answer_timeout(),
    )
    if as_json:
        render.print_json(opened)
    else:
        render.opened(out, opened)


def _local_policy() -> Policy | None:
    """The policy for the summary line's severity; the workflow classifies for real anyway."""
    try:
        return load_policy(policy_path())
    except PolicyInvalid:
        return None


# -- operator verbs -------------------------------------------------------------------------------


@app.command()
def ack(
    incident: IncidentArg,
    by: ByOption = None,
    note: Annotated[str | None, typer.Option(help=_help(Acknowledge, "note"))] = None,
    as_json: JsonOption = False,
) -> None:
    """Acknowledge: take ownership, paging stops."""
    _act(incident, "acknowledge", {"by": _actor(by), "note": note}, as_json)


@app.command()
def escalate(
    incident: IncidentArg,
    reason: Annotated[str, typer.Option(help=_help(Escalate, "reason"))],
    by: ByOption = None,
    to_tier: Annotated[str | None, typer.Option(help=_help(Escalate, "to_tier"))] = None,
    as_json: JsonOption = False,
) -> None:
    """Page another tier or management now."""
    target: int | str | None = to_tier
    if to_tier is not None and to_tier.strip().isdigit():
        target = int(to_tier)
    _act(incident, "escalate", {"by": _actor(by), "reason": reason, "to_tier": target}, as_json)


@app.command()
def note(
    incident: IncidentArg,
    text: Annotated[str, typer.Option(help=_help(AddNote, "text"))],
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add an internal note to the timeline (not sent to clients)."""
    _act(incident, "add_note", {"by": _actor(by), "text": text}, as_json)


@app.command()
def update(
    incident: IncidentArg,
    message: Annotated[str, typer.Option(help=_help(PostUpdate, "message"))],
    by: ByOption = None,
    eta: Annotated[str | None, typer.Option(help=_help(PostUpdate, "eta"))] = None,
    as_json: JsonOption = False,
) -> None:
    """Post a status update to the affected clients."""
    _act(incident, "post_update", {"by": _actor(by), "message": message, "eta": eta}, as_json)


@app.command()
def severity(
    incident: IncidentArg,
    new_severity: Annotated[
        str, typer.Argument(metavar="SEVERITY", help=_help(ChangeSeverity, "severity"))
    ],
    by: ByOption = None,
    reason: Annotated[str | None, typer.Option(help=_help(ChangeSeverity, "reason"))] = None,
    as_json: JsonOption = False,
) -> None:
    """Reclassify the incident; its SLAs follow the new severity."""
    payload = {"by": _actor(by), "severity": new_severity, "reason": reason}
    _act(incident, "change_severity", payload, as_json)


@app.command()
def resolve(
    incident: IncidentArg,
    *,
    cause: Annotated[str, typer.Option(help=_help(Resolve, "cause"))],
    resolution: Annotated[str, typer.Option(help=_help(Resolve, "resolution"))],
    by: ByOption = None,
    prevent: Annotated[
        list[str] | None,
        typer.Option(help=_help(Resolve, "preventive_measures") + " (repeatable)"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Resolve: record the cause, the fix and how to prevent it."""
    payload = {
        "by": _actor(by),
        "cause": cause,
        "resolution": resolution,
        "preventive_measures": prevent or [],
    }
    _act(incident, "resolve", payload, as_json)


@app.command()
def reopen(
    incident: IncidentArg,
    reason: Annotated[str, typer.Option(help=_help(Reopen, "reason"))],
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reopen a resolved incident; tier 1 is paged again."""
    _act(incident, "reopen", {"by": _actor(by), "reason": reason}, as_json)


@app.command()
def review(
    incident: IncidentArg,
    by: ByOption = None,
    owner: Annotated[str | None, typer.Option(help=_help(StartReview, "owner"))] = None,
    as_json: JsonOption = False,
) -> None:
    """Start the post-incident review (the start_review verb)."""
    _act(incident, "start_review", {"by": _actor(by), "owner": owner}, as_json)


# -- looking ----------------------------------------------------------------------------------------


@app.command()
def status(incident: IncidentArg, as_json: JsonOption = False) -> None:
    """Show one incident: status, SLA clocks, timeline and notifications."""
    state = _run(lambda client: incident_status(client, incident), timeout=_answer_timeout())
    if as_json:
        render.print_json(state)
    else:
        render.status(out, state)


@app.command("list")
def list_(
    *,
    status: Annotated[str | None, typer.Option(help="triggered, acknowledged, ...")] = None,
    severity: Annotated[str | None, typer.Option(help="A severity from the policy")] = None,
    service: Annotated[str | None, typer.Option(help="The affected service")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many")] = 50,
    as_json: JsonOption = False,
    all_: Annotated[bool, typer.Option("--all", help="From the archive: closed ones too")] = False,
    client: Annotated[str | None, typer.Option(help="With --all: affecting this client")] = None,
    since: Annotated[str | None, typer.Option(help="With --all: opened within 30d, 12h...")] = None,
    text: Annotated[str | None, typer.Option(help="With --all: in the title or cause")] = None,
) -> None:
    """List incidents, newest first, filtered by status, severity or service."""
    if all_:
        window = _window(since) if since else None
        query = IncidentQuery(
            service, client, severity, archive_cli.since(window), text, limit, status
        )
        return archive_cli.list_archived(query, as_json)
    incidents = _run(
        lambda client: list_incidents(client, status, severity, service, limit),
        timeout=_answer_timeout(),
    )
    if as_json:
        render.print_json(incidents)
    else:
        render.incident_list(out, incidents)


@app.command("report")
def report_(
    incident: IncidentArg,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as HTML to this file")
    ] = None,
    for_client: Annotated[
        bool,
        typer.Option(
            "--client",
            help="The client version: no internal notes, rejections, management or addresses",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report's facts as JSON")
    ] = False,
) -> None:
    """Print the final report as Markdown (SLA figures from the current policy file)."""
    try:
        policy = load_policy(policy_path())
    except PolicyInvalid as error:
        _fail(explain(error))
    record = _run(lambda client: incident_record(client, incident), timeout=_answer_timeout())
    facts = build_report(
        record.state, policy, record.review, audience="client" if for_client else "internal"
    )
    rendered = render_report(facts)
    if html is not None:
        try:
            html.write_text(rendered.html, encoding="utf-8")
        except OSError as error:
            _fail(f"cannot write {html}: {error.strerror or error}")
    if as_json:
        render.print_json(facts)
    else:
        render.report(rendered)
    if html is not None:
        typer.echo(f"HTML report written to {html}", err=True)


@app.command()
def stats(
    since: Annotated[
        str, typer.Option(help="Incidents closed within this long: 12h, 30d, 2w or ISO 8601")
    ] = "30d",
    service: Annotated[str | None, typer.Option(help="Only this service")] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="At most this many incidents (newest first)")
    ] = 1000,
    top: Annotated[int, typer.Option(min=1, max=100, help="How many causes to list")] = TOP_CAUSES,
    as_json: JsonOption = False,
) -> None:
    """MTTA, MTTR, SLA breach rates and escalations of closed incidents, grouped."""
    window = _window(since)
    closed_since = datetime.now(UTC) - window
    incidents = _run(
        lambda client: completed_incidents(
            client, closed_since=closed_since, service=service, limit=limit
        ),
        timeout=_answer_timeout(),
    )
    figures = incident_stats(incidents, _local_policy(), top=top)
    if as_json:
        render.print_json(figures)
    else:
        scope = f"in the last {since.strip()}" + (f" for {service}" if service else "")
        render.incident_stats(out, figures, scope)


def _window(since: str) -> timedelta:
    """`--since` read like the policy's durations."""
    try:
        return TypeAdapter(Duration).validate_python(since)
    except ValidationError as error:
        _fail(f"--since: {explain(error).removeprefix('argument: ')}")


# -- running it -------------------------------------------------------------------------------------


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="The policy YAML file")],
) -> None:
    """Validate a policy file: `OK` and a summary, or every problem with its key and line."""
    try:
        policy = load_policy(file)
    except PolicyInvalid as error:
        count = len(error.problems)
        typer.echo(
            f"error: {error.source}: invalid policy ({count} problem{'s' * (count != 1)})",
            err=True,
        )
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    render.policy_ok(out, file, policy)
    oncall_cli.report_gaps(out, file, policy)


@app.command()
def setup() -> None:
    """Register the incident search attributes on the configured namespace (idempotent)."""

    async def register(client: Client) -> tuple[str, list[str]]:
        return client.namespace, await register_search_attributes(client)

    namespace, added = _run(register, timeout=_answer_timeout())
    if added:
        out.print(f"Registered on namespace {namespace!r}: {', '.join(added)}")
    else:
        out.print(f"All incident search attributes already exist on namespace {namespace!r}.")


@app.command()
def worker(
    policy: Annotated[
        Path | None,
        typer.Option(help="Policy file (default: $ESCALATION_POLICY, else examples/policy.yaml)"),
    ] = None,
    task_queue: Annotated[
        str, typer.Option(envvar="ESCALATION_TASK_QUEUE", help="Task queue to poll")
    ] = TASK_QUEUE,
) -> None:
    """Run a worker until Ctrl-C or SIGTERM; in-flight deliveries finish first."""
    from worker.metrics import install_metrics_from_environment  # noqa: PLC0415
    from worker.runner import run_worker  # noqa: PLC0415 - the worker's imports are heavy
    from worker.settings import worker_settings  # noqa: PLC0415

    _log_to_stderr()
    try:  # every setting is checked before any connection attempt
        settings = worker_settings(policy, task_queue)
        install_metrics_from_environment()  # before connecting: the client reports to it
    except Exception as error:
        _fail(explain(error))
    _run(lambda client: run_worker(client, settings=settings))


@app.command()
def dev(
    port: Annotated[int, typer.Option(help="The dev server's gRPC port")] = 7233,
    ui_port: Annotated[int, typer.Option(help="The Temporal UI's port")] = 8233,
    db_file: Annotated[Path, typer.Option(help="SQLite file: incidents survive restarts")] = Path(
        ".escalation/temporal.db"
    ),
) -> None:
    """Local stack: dev server + worker + a demo incident. Ctrl-C stops it; rerun resumes."""
    from starter.devserver import DevServerSettings  # noqa: PLC0415 - keep verbs quick to start
    from starter.devstack import run_dev_stack  # noqa: PLC0415

    _log_to_stderr()
    settings = DevServerSettings(db_file=db_file, port=port, ui_port=ui_port)
    try:
        asyncio.run(run_dev_stack(settings, say=_say))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as error:
        _fail(explain(error))


def _say(text: str) -> None:
    """Plain lines for the dev stack's messages: no markup, no wrapping of links."""
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _log_to_stderr() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


register_front_door(app)
archive_cli.register(app, _run)
analytics_cli.register(app, _window, _local_policy)


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
