"""Sender labels to alert fields, by the names each integration declares.

A severity the policy does not know (after the integration's own mapping) is left out, so the
decision matrix classifies the alert; anything else that cannot be read is a named 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from api.problems import BadRequest, validation_problems
from escalation.alerts import Alert
from escalation.integrations import Integration
from escalation.policy import Policy

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 10_000


def severity_for(value: str | None, integration: Integration, policy: Policy) -> str | None:
    """The policy severity a sender's severity names, or None to let the matrix classify."""
    if not value:
        return None
    mapped = integration.severities.get(value, value)
    return mapped if mapped in policy.severities else None


def build_alert(
    *,
    integration_name: str,
    integration: Integration,
    policy: Policy,
    labels: Mapping[str, str],
    labels_path: str,
    title: str,
    description: str,
    dedup_key: str,
    alert_id: str,
    source: str,
    fallback_service: str | None = None,
) -> Alert:
    """One Alert from labels; a bad label is reported at `labels_path.<label name>`."""
    names = integration.labels
    fields: dict[str, Any] = {
        "title": _clip(title, TITLE_LIMIT) or integration_name,
        "service": labels.get(names.service)
        or _clip(fallback_service or "", 100)
        or integration.service,
        "description": _clip(description, DESCRIPTION_LIMIT),
        "severity": severity_for(labels.get(names.severity), integration, policy),
        "category": labels.get(names.category) or None,
        "clients_affected": [
            client.strip() for client in labels.get(names.client, "").split(",") if client.strip()
        ],
        "dedup_key": dedup_key,
        "source": _clip(source, 100),
        "alert_id": alert_id,
    }
    if labels.get(names.users_affected):
        fields["users_affected"] = labels[names.users_affected]
    renames = {
        "service": f"{labels_path}.{names.service}",
        "severity": f"{labels_path}.{names.severity}",
        "category": f"{labels_path}.{names.category}",
        "clients_affected": f"{labels_path}.{names.client}",
        "users_affected": f"{labels_path}.{names.users_affected}",
    }
    if fields["service"] is None:
        raise BadRequest(
            [f"{renames['service']}: no service: add the label or set the integration's `service`"]
        )
    try:
        return Alert.model_validate(fields)
    except ValidationError as error:
        raise BadRequest(validation_problems(error, renames=renames)) from None


def _clip(text: str, limit: int) -> str:
    """Sender text cut to what an alert holds; a long annotation is not a reason to lose it."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
