"""Sender payloads as their documentation shows them, with unique labels per test."""

from __future__ import annotations

from typing import Any


def grafana_notification(
    service: str, status: str = "firing", fingerprint: str = "c6eadffa33fcdf37"
) -> dict[str, Any]:
    """Grafana Alerting's webhook contact point body (docs: "Webhook JSON payload")."""
    ends = "0001-01-01T00:00:00Z" if status == "firing" else "2026-01-01T10:05:00Z"
    return {
        "receiver": "My Super Webhook",
        "status": status,
        "orgId": 1,
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "High memory usage", "team": "blue", "service": service},
                "annotations": {
                    "description": "The system has high memory usage",
                    "runbook_url": "https://myrunbook.com/runbook/1234",
                    "summary": "This alert was triggered for zone us-1",
                },
                "startsAt": "2026-01-01T09:51:03.157076+02:00",
                "endsAt": ends,
                "generatorURL": "https://play.grafana.org/alerting/1afz29v7z/edit",
                "fingerprint": fingerprint,
                "silenceURL": "https://play.grafana.org/alerting/silence/new?alertmanager=grafana",
                "dashboardURL": "",
                "panelURL": "",
                "imageURL": "",
                "values": {"B": 44.23943737541908, "C": 1},
                "valueString": "[ var='B' labels={service=x} value=44.23943737541908 ]",
            }
        ],
        "groupLabels": {},
        "commonLabels": {"team": "blue"},
        "commonAnnotations": {},
        "externalURL": "https://play.grafana.org/",
        "version": "1",
        "groupKey": '{}:{alertname="High memory usage"}',
        "truncatedAlerts": 0,
        "title": "[FIRING:1]  (blue)",
        "state": "alerting" if status == "firing" else "ok",
        "message": "**Firing**\n\nLabels:\n - alertname = High memory usage\n",
    }


def pagerduty_event(
    routing_key: str, action: str, dedup_key: str, component: str | None = None
) -> dict[str, Any]:
    """PagerDuty Events API v2 (docs: "Send an Alert Event"); payload only on trigger."""
    event: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": action,
        "dedup_key": dedup_key,
    }
    if action == "trigger":
        event |= {
            "payload": {
                "summary": "DISK at 99% on machine prod-datapipe03.example.com",
                "timestamp": "2026-01-01T08:42:58.315+0000",
                "severity": "critical",
                "source": "prod-datapipe03.example.com",
                "component": component or "mysql",
                "group": "prod-datapipe",
                "class": "disk",
                "custom_details": {"free space": "1%", "ping time": "1500ms", "load avg": 0.75},
            },
            "images": [{"src": "https://www.pagerduty.com/wp-content/uploads/2016/05/pd.png"}],
            "links": [{"href": "https://example.com/", "text": "Link text"}],
            "client": "Sample Monitoring Service",
            "client_url": "https://monitoring.service.com",
        }
    return event


def alertmanager_notification(service: str, status: str = "firing") -> dict[str, Any]:
    """Alertmanager's webhook body (version 4), with keys from newer releases it may add."""
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="CheckoutErrors", service="{service}"}}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "front-door",
        "groupLabels": {"alertname": "CheckoutErrors"},
        "commonLabels": {"alertname": "CheckoutErrors", "service": service},
        "commonAnnotations": {"summary": "checkout 5xx"},
        "externalURL": "http://alertmanager.example:9093",
        "groupTruncatedFromTheFuture": {"added": "in a newer release"},
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "CheckoutErrors", "service": service},
                "annotations": {"summary": "checkout 5xx"},
                "startsAt": "2026-01-01T10:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example/graph",
                "fingerprint": "b0e6fd6c2ae1ab2e",
                "somethingNew": [1, 2, 3],
            }
        ],
    }
