"""Operator verbs: the JSON objects typed into the Temporal UI or sent by the CLI.

Each model's field descriptions document the CLI, the README table and the UI handler text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from escalation.alerts import Alert

Actor = Annotated[str, Field(min_length=1, max_length=100, description="Who is acting")]
Text = Annotated[str, Field(min_length=1, max_length=10_000)]
Via = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description="The channel the verb came through (SMS reply, voice, email link, Slack)",
    ),
]


class OperatorCommand(BaseModel):
    """Base of every verb: strict, so a typo in a key is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    by: Actor
    via: Via | None = None


class Acknowledge(OperatorCommand):
    """Take ownership: stops paging and the acknowledgment SLA."""

    note: str | None = Field(None, max_length=10_000, description="Optional first note")


class Escalate(OperatorCommand):
    """Page another tier (functional) or management (hierarchical) now."""

    reason: Text = Field(description="Why: needs a DBA, ownership unclear, ...")
    to_tier: int | Literal["management"] | None = Field(
        None, description='Tier number (1-based) or "management"; the next tier when omitted'
    )


class AddNote(OperatorCommand):
    """An internal note on the timeline (not sent to clients)."""

    text: Text = Field(description="The note")


class PostUpdate(OperatorCommand):
    """A status update that goes to affected clients."""

    message: Text = Field(description="What clients should know")
    eta: datetime | None = Field(None, description="Expected resolution time (ISO 8601), optional")


class ChangeSeverity(OperatorCommand):
    """Reclassify; SLAs are recomputed from the start of the current cycle (opening or reopen)."""

    severity: str = Field(min_length=1, max_length=50, description="A severity from the policy")
    reason: str | None = Field(None, max_length=10_000, description="Why it changed")


class Resolve(OperatorCommand):
    """Record the resolution: the facts of the final report."""

    cause: Text = Field(description="Root cause as understood now")
    resolution: Text = Field(description="What fixed it")
    preventive_measures: list[Annotated[str, Field(min_length=1, max_length=1_000)]] = Field(
        default=[], max_length=100, description="Steps to stop it happening again"
    )


class Reopen(OperatorCommand):
    """Take a resolved incident back to triggered; paging starts again at tier 1."""

    reason: Text = Field(description="Why it is not fixed")


class StartReview(OperatorCommand):
    """Start the post-incident review now."""

    owner: str | None = Field(None, max_length=100, description="Who owns the review")


ClientKey = Annotated[
    str,
    Field(
        min_length=1, max_length=100, description="The client, by key or name (`acme`, `ACME Corp`)"
    ),
]


class WaitForClient(OperatorCommand):
    """Waiting on the client: its resolution clock pauses (at most the contract's max_pause)."""

    client: ClientKey
    reason: Text = Field(description="What the client owes: logs, access, a decision, ...")


class ClientReplied(OperatorCommand):
    """The client answered: its resolution clock runs again, the paused time not counted."""

    client: ClientKey


VERBS: dict[str, type[BaseModel]] = {
    "acknowledge": Acknowledge,
    "escalate": Escalate,
    "add_note": AddNote,
    "post_update": PostUpdate,
    "change_severity": ChangeSeverity,
    "resolve": Resolve,
    "reopen": Reopen,
    "start_review": StartReview,
    "new_alert": Alert,
    "wait_for_client": WaitForClient,
    "client_replied": ClientReplied,
}
"""Signal/update name -> the model of its one JSON argument. This is the operator contract."""


class MalformedCommand(ValueError):
    """An argument that does not fit its verb; the message says which key and why."""


def parse_command(verb: str, payload: Any) -> BaseModel:
    """Validate a raw JSON argument for a verb, raising MalformedCommand with a readable reason."""
    model = VERBS[verb]
    if payload is None:
        raise MalformedCommand(f"{verb} takes one JSON object, e.g. {example_argument(verb)}")
    try:
        return TypeAdapter(model).validate_python(payload)
    except ValidationError as error:
        raise MalformedCommand(describe_validation_error(error)) from None


MAX_ISSUES_SHOWN = 10
MAX_KEY_SHOWN = 50


def describe_validation_error(error: ValidationError) -> str:
    """`by: Field required; to_tier: Input should be ...` on one line.

    Bounded whatever the input: the reason is stored in the timeline, and an unknown key is
    echoed in it, so keys are shortened and escaped and only the first problems are listed.
    """
    issues = error.errors()
    parts = []
    for issue in issues[:MAX_ISSUES_SHOWN]:
        location = ".".join(_shown_key(part) for part in issue["loc"]) or "argument"
        parts.append(f"{location}: {issue['msg'].removeprefix('Value error, ')}")
    if len(issues) > MAX_ISSUES_SHOWN:
        parts.append(f"and {len(issues) - MAX_ISSUES_SHOWN} more problems")
    return "; ".join(parts)


def _shown_key(part: str | int) -> str:
    """A key as typed, on one line and at most MAX_KEY_SHOWN characters."""
    text = str(part)
    if not text.isprintable() or not text:
        text = repr(text)
    return text if len(text) <= MAX_KEY_SHOWN else text[: MAX_KEY_SHOWN - 3] + "..."


EXAMPLES: dict[str, str] = {
    "acknowledge": '{"by": "alice", "note": "looking"}',
    "escalate": '{"by": "alice", "reason": "needs DBA", "to_tier": 3}',
    "add_note": '{"by": "alice", "text": "failover started"}',
    "post_update": '{"by": "alice", "message": "Fix deploying", "eta": "2026-11-22T18:00:00Z"}',
    "change_severity": '{"by": "alice", "severity": "critical", "reason": "all regions"}',
    "resolve": (
        '{"by": "alice", "cause": "expired cert", "resolution": "rotated cert", '
        '"preventive_measures": ["alert 14 days before expiry"]}'
    ),
    "reopen": '{"by": "alice", "reason": "errors are back"}',
    "start_review": '{"by": "alice", "owner": "bob"}',
    "new_alert": '{"title": "checkout 5xx", "service": "payments", "source": "prometheus"}',
    "wait_for_client": '{"by": "alice", "client": "acme", "reason": "asked for their proxy logs"}',
    "client_replied": '{"by": "alice", "client": "acme"}',
}


def example_argument(verb: str) -> str:
    """A copyable JSON argument for the verb, shown in UI descriptions and errors."""
    return EXAMPLES[verb]
