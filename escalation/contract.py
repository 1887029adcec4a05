"""The public shape of an incident workflow: its id, its input and what its verbs answer."""

from __future__ import annotations

import re

from pydantic import BaseModel

from escalation.actions import Action
from escalation.alerts import Alert
from escalation.incident import IncidentState, IncidentStatus
from escalation.policy import Policy

TASK_QUEUE = "escalation"
INCIDENT_WORKFLOW = "IncidentWorkflow"
REVIEW_WORKFLOW = "PostIncidentReviewWorkflow"
INCIDENT_PREFIX = "incident-"


class PolicySnapshot(BaseModel):
    """The policy an incident runs under, and a warning when the file on disk was unusable."""

    policy: Policy
    source: str
    warning: str | None = None
    slack: bool = False
    """The worker that opened the incident has Slack set up: severities asking for Slack get it."""
    digest: str | None = None
    """A hash of the policy's content: incidents under the same policy share one parsed copy in
    the worker's memory (workflows/shared_policies.py). None in snapshots taken before it."""


class CarriedIncident(BaseModel):
    """Everything a continued-as-new incident needs to go on exactly where it was."""

    policy: PolicySnapshot
    state: IncidentState
    actions: list[Action] = []
    """Decided while the last run drained its deliveries, and not started yet: the next run starts
    them. (Dropping them lost client updates sent during the handover.)"""


class IncidentStart(BaseModel):
    """The workflow's input: the dedup key and the first report (or the carried state)."""

    key: str
    alert: Alert
    carried: CarriedIncident | None = None


class CommandResult(BaseModel):
    """What an update answers once accepted."""

    verb: str
    message: str
    incident_id: str
    status: IncidentStatus
    severity: str
    tier: int


def incident_workflow_id(key: str) -> str:
    """`incident-<key>`: the dedup key is the workflow id, so duplicates meet one workflow."""
    return f"{INCIDENT_PREFIX}{key}"


def incident_key(workflow_id_or_key: str) -> str:
    """Accept either `incident-<key>` or the bare key, as operators type both."""
    return workflow_id_or_key.removeprefix(INCIDENT_PREFIX)


def successor_key(key: str) -> str:
    """The key for a new incident while the previous one with this key awaits its review."""
    match = re.fullmatch(r"(?P<base>.+)~(?P<n>\d+)", key)
    if match:
        return f"{match['base']}~{int(match['n']) + 1}"
    return f"{key}~2"
