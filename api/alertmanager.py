"""Alertmanager's webhook (`version: "4"`) and Grafana's superset of it, as fires and clears.

Unknown keys are ignored: each release may add some. One incident per alert group
(`groupKey`) or per alert (`fingerprint`), as the integration chooses. Alert ids are derived
from what identifies a notification (group, fingerprints, start times), so a sender's retry or
repeat notification is recognised by the incident and not counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.labels import build_alert
from api.problems import BadRequest, validation_problems
from api.reports import Clear, Fire, Report, digest, integration_key
from escalation.integrations import Integration
from escalation.policy import Policy

Status = Literal["firing", "resolved"]
MAX_ALERTS = 1000
Labels = dict[str, str]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class WebhookAlert(_Lenient):
    """One alert of a notification."""

    status: Status
    labels: Labels = {}
    annotations: Labels = {}
    startsAt: str = Field("", max_length=64)
    endsAt: str = Field("", max_length=64)
    generatorURL: str = Field("", max_length=4096)
    fingerprint: str = Field("", max_length=128)


class Notification(_Lenient):
    """The body Alertmanager posts to a webhook receiver; Grafana sends the same and more."""

    version: str = Field(max_length=10)
    groupKey: str = Field(min_length=1, max_length=10_000)
    status: Status
    receiver: str = Field("", max_length=1000)
    groupLabels: Labels = {}
    commonLabels: Labels = {}
    commonAnnotations: Labels = {}
    externalURL: str = Field("", max_length=4096)
    truncatedAlerts: int = Field(0, ge=0)
    alerts: list[WebhookAlert] = Field(min_length=1, max_length=MAX_ALERTS)


class AlertmanagerNotification(Notification):
    """Alertmanager's webhook payload, version 4."""

    version: Literal["4"]


def parse(model: type[Notification], body: Any) -> Notification:
    """The notification, or a 400 naming each bad field."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise BadRequest(validation_problems(error)) from None


@dataclass(frozen=True)
class _Sender:
    name: str
    integration: Integration
    policy: Policy
    source: str


def reports(
    notification: Notification,
    *,
    name: str,
    integration: Integration,
    policy: Policy,
    sender: str,
) -> list[Report]:
    """What the notification asks for, per group or per alert."""
    context = _Sender(name, integration, policy, f"{sender} ({name})")
    if integration.incident_per == "alert":
        return [
            _alert_report(index, alert, notification, context)
            for index, alert in enumerate(notification.alerts)
        ]
    return [_group_report(notification, context)]


def _title(annotations: Labels, labels: Labels, fallback: str) -> str:
    return annotations.get("summary") or labels.get("alertname") or fallback


def _alert_report(
    index: int, alert: WebhookAlert, notification: Notification, context: _Sender
) -> Report:
    name, integration, source = context.name, context.integration, context.source
    identity = alert.fingerprint or digest(*sorted(f"{k}={v}" for k, v in alert.labels.items()))
    key = integration_key(name, identity)
    title = _title(alert.annotations, alert.labels, notification.receiver or name)
    if alert.status == "resolved":
        return Clear(key, title, source, integration.resolve_on_clear)
    return Fire(
        build_alert(
            integration_name=name,
            integration=integration,
            policy=context.policy,
            labels=alert.labels,
            labels_path=f"alerts[{index}].labels",
            title=title,
            description=_describe([alert]),
            dedup_key=key,
            alert_id=digest(name, identity, alert.startsAt),
            source=source,
        )
    )


def _group_report(notification: Notification, context: _Sender) -> Report:
    name, integration, source = context.name, context.integration, context.source
    key = integration_key(name, notification.groupKey)
    firing = [alert for alert in notification.alerts if alert.status == "firing"]
    first = (firing or notification.alerts)[0]
    labels = {**first.labels, **notification.commonLabels}
    title = _title(notification.commonAnnotations, {**notification.groupLabels, **labels}, name)
    if notification.status == "resolved" or not firing:
        return Clear(key, title, source, integration.resolve_on_clear)
    clients = sorted(
        {
            client.strip()
            for alert in firing
            for client in alert.labels.get(integration.labels.client, "").split(",")
            if client.strip()
        }
    )
    if clients:
        labels[integration.labels.client] = ",".join(clients)
    index = notification.alerts.index(first)
    return Fire(
        build_alert(
            integration_name=name,
            integration=integration,
            policy=context.policy,
            labels=labels,
            labels_path=f"alerts[{index}].labels",
            title=title,
            description=_describe(firing),
            dedup_key=key,
            alert_id=digest(
                name, notification.groupKey, *sorted(a.fingerprint + a.startsAt for a in firing)
            ),
            source=source,
        )
    )


def _describe(alerts: list[WebhookAlert]) -> str:
    """The firing alerts as responders read them: summary, description, labels, link."""
    lines = []
    for alert in alerts[:20]:
        summary = alert.annotations.get("summary") or alert.labels.get("alertname", "alert")
        lines.append(f"- {summary}")
        if alert.annotations.get("description"):
            lines.append(f"  {alert.annotations['description']}")
        lines.append("  " + ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items())))
        if alert.generatorURL:
            lines.append(f"  {alert.generatorURL}")
    if len(alerts) > 20:
        lines.append(f"... and {len(alerts) - 20} more")
    return "\n".join(lines)
