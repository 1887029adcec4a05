"""Monitors that may report through the HTTP front door, declared in the policy by name.

The file holds only SHA-256 digests of each integration's keys (several, so a key can be
rotated without a gap); the keys themselves live with the senders.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

IntegrationType = Literal["generic", "alertmanager", "grafana", "pagerduty"]
IncidentPer = Literal["group", "alert"]
KeyDigest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
INTEGRATION_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"


class _IntegrationModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LabelNames(_IntegrationModel):
    """Which sender label feeds which alert field; rename to fit labels a team already uses."""

    service: str = Field("service", description="Label naming the affected service")
    severity: str = Field("severity", description="Label naming the severity")
    category: str = Field("category", description="Label naming the kind of incident")
    client: str = Field("client", description="Label listing affected client keys, comma-separated")
    users_affected: str = Field("users_affected", description="Label counting affected users")


class RateLimit(_IntegrationModel):
    """A token bucket per integration: `burst` requests at once, refilled at `per_second`."""

    per_second: float = Field(50.0, gt=0, le=100_000, description="Sustained requests a second")
    burst: int = Field(1000, ge=1, le=1_000_000, description="Requests allowed at once")


class Integration(_IntegrationModel):
    """One sender of alerts: its wire format, its keys, and how its alerts become incidents."""

    type: IntegrationType = Field(
        description="Wire format: generic, alertmanager, grafana, pagerduty"
    )
    service: str | None = Field(
        None, min_length=1, max_length=100, description="Service when the alert names none"
    )
    key_sha256: list[KeyDigest] = Field(
        min_length=1, description="Hex SHA-256 of each accepted key; several while rotating"
    )
    incident_per: IncidentPer = Field(
        "group", description="One incident per alert group (groupKey) or per alert (fingerprint)"
    )
    resolve_on_clear: bool = Field(
        False, description="A cleared alert resolves its incident (else it is only noted)"
    )
    labels: LabelNames = Field(LabelNames(), description="Label names read for alert fields")
    severities: dict[str, str] = Field(
        default={},
        description="Sender severity -> policy severity; one the policy lacks is classified",
    )
    rate_limit: RateLimit = Field(RateLimit(), description="Requests past this are answered 429")
    signing_secret_env: str | None = Field(
        None,
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="Grafana: environment variable holding the HMAC secret of the contact point",
    )
    signature_timestamp_header: str | None = Field(
        None, max_length=100, description="Grafana: the contact point's HMAC timestamp header"
    )


Integrations = dict[Annotated[str, Field(pattern=INTEGRATION_NAME_PATTERN)], Integration]


def integration_errors(
    integrations: dict[str, Integration], severities: Iterable[str]
) -> Iterator[tuple[str, str]]:
    """(key path, problem) for mappings to severities the policy lacks, and Grafana-only keys
    set on other types: either would silently do nothing."""
    known = list(severities)
    for name, integration in integrations.items():
        for sent, mapped in integration.severities.items():
            if mapped not in known:
                yield (
                    f"integrations.{name}.severities.{sent}",
                    f"unknown severity {mapped!r} (one of: {', '.join(known)})",
                )
        if integration.type != "grafana":
            for field in ("signing_secret_env", "signature_timestamp_header"):
                if getattr(integration, field) is not None:
                    yield f"integrations.{name}.{field}", "only a grafana integration is signed"
