"""The durable record of one incident: everything `status` shows and the engine reasons about."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from escalation.alerts import Alert
from escalation.client_clock import ClientClock
from escalation.logbook import Logbook
from escalation.on_call_models import TierReach
from escalation.slack import SlackThread

IncidentStatus = Literal["triggered", "acknowledged", "resolved", "closed"]
OPEN_STATUSES: tuple[IncidentStatus, ...] = ("triggered", "acknowledged")


class SlaClocks(BaseModel):
    """Due times for the current cycle of the incident (reopen starts a new cycle)."""

    ack_due: datetime
    resolve_due: datetime
    resolve_clock_started: datetime
    ack_breached: bool = False
    resolve_breached: bool = False
    warnings_sent: list[float] = []


class EscalationPosition(BaseModel):
    """Where functional and hierarchical escalation stand."""

    tier_index: int = 0
    cycle: int = 0
    tier_since: datetime
    management_engaged: bool = False
    exhausted: bool = False


class Resolution(BaseModel):
    """What the resolver recorded: the facts of the final report."""

    cause: str
    resolution: str
    preventive_measures: list[str] = []


class Classification(BaseModel):
    """The severity and the line of the decision matrix that chose it."""

    severity: str
    rule: str


class IncidentState(Logbook):
    """The whole incident. Serialized into `status` and carried across continue-as-new."""

    incident_id: str
    key: str
    title: str
    service: str
    description: str = ""
    category: str | None = None
    severity: str
    classification: Classification
    users_affected: int = 0
    clients_affected: list[str] = []
    status: IncidentStatus = "triggered"
    opened_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    resolution: Resolution | None = None
    position: EscalationPosition
    sla: SlaClocks
    client_clocks: list[ClientClock] = Field(
        default=[], description="Each contracted client's SLA clocks, beside the severity's"
    )
    last_client_update_at: datetime | None = None
    alerts_received: int = 1
    alert_ids: list[str] = Field(default=[], description="Recent alert ids, for dedup on retry")
    breaches: list[str] = []
    review_owner: str | None = None
    review_workflow_id: str | None = None
    review_completed_at: datetime | None = None
    pages_schedules: bool = False
    """Tiers naming a schedule page whoever is on call, asked at each page (`AskOnCall`). Set
    when the incident opens (a workflow patch); incidents opened before page the contacts only."""
    reach: TierReach = TierReach()
    named_people_checked: bool = False
    """Verbs that name a person to be emailed (`start_review`'s owner) are refused unless the
    person is a policy contact. Set when the incident opens (a workflow patch); incidents opened
    before keep accepting any name, as their histories did."""
    contract_cadence: bool = False
    """Clients whose contract sets `updates_every` hear on that cadence (a workflow patch, asked
    when the first client clock starts); incidents from before hear on the severity's."""
    slack: SlackThread | None = None
    """The incident's Slack channel and status message, once posted."""

    link_tokens_used: list[str] = Field(
        default=[], description="Email link token ids already accepted (each acts once)"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def tier(self) -> int:
        """The tier (1-based) that currently owns or is paged for the incident."""
        return self.position.tier_index + 1

    @property
    def logbook_id(self) -> str:
        return self.incident_id

    @property
    def is_open(self) -> bool:
        """Triggered or acknowledged: SLA clocks are running."""
        return self.status in OPEN_STATUSES


def opening_alert_matches(state: IncidentState, alert: Alert) -> bool:
    """Whether this alert was already counted (the start's own alert, or a redelivery)."""
    return alert.alert_id is not None and alert.alert_id in state.alert_ids
