"""Grafana and PagerDuty payloads exactly as their documentation shows, and Alertmanager's with
keys from newer releases: each becomes an incident, and the clear acts on it."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import yaml

from tests.api.conftest import KEYS, FrontDoorUnderTest, unique
from tests.api.payloads import alertmanager_notification, grafana_notification, pagerduty_event

GRAFANA_PATH = "/v1/integrations/grafana"


async def test_grafana_firing_then_resolved(front_door: FrontDoorUnderTest) -> None:
    service = unique("svc")
    fingerprint = unique("fp")
    fired = await front_door.http.post(
        GRAFANA_PATH,
        json=grafana_notification(service, fingerprint=fingerprint),
        headers=front_door.bearer("grafana"),
    )
    assert fired.status_code == 202, fired.text
    (opened,) = fired.json()["incidents"]
    assert opened["outcome"] == "opened"
    state = await front_door.state(opened["key"], lambda s: s.tier == 1, "paged tier 1")
    assert (state.title, state.service) == ("This alert was triggered for zone us-1", service)
    cleared = await front_door.http.post(
        GRAFANA_PATH,
        json=grafana_notification(service, "resolved", fingerprint=fingerprint),
        headers=front_door.bearer("grafana"),
    )
    assert cleared.status_code == 202, cleared.text
    assert cleared.json()["incidents"][0]["outcome"] == "resolved"
    state = await front_door.state(
        opened["key"], lambda s: s.status in ("resolved", "closed"), "resolved"
    )
    assert state.resolution is not None
    assert state.resolution.cause.startswith("cleared by grafana")


def _sign(secret: str, body: bytes, timestamp: str | None = None) -> str:
    signed = f"{timestamp}:".encode() + body if timestamp else body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("timestamp_header", [None, "X-Grafana-Alerting-Signature-Timestamp"])
async def test_grafana_signature_checked_when_a_secret_is_set(
    front_door: FrontDoorUnderTest, monkeypatch: pytest.MonkeyPatch, timestamp_header: str | None
) -> None:
    monkeypatch.setenv("TEST_GRAFANA_SECRET", "s3cret-for-hmac")
    policy = yaml.safe_load(front_door.policy_file.read_text())
    policy["integrations"]["grafana"]["signing_secret_env"] = "TEST_GRAFANA_SECRET"
    policy["integrations"]["grafana"]["signature_timestamp_header"] = timestamp_header
    front_door.policy_file.write_text(yaml.safe_dump(policy))
    body = json.dumps(grafana_notification(unique("svc"), fingerprint=unique("fp"))).encode()
    headers = {**front_door.bearer("grafana"), "Content-Type": "application/json"}
    stamp = "1767261600"
    if timestamp_header:
        headers[timestamp_header] = stamp

    unsigned = await front_door.http.post(GRAFANA_PATH, content=body, headers=headers)
    assert unsigned.status_code == 401, unsigned.text
    wrong = await front_door.http.post(
        GRAFANA_PATH,
        content=body,
        headers={**headers, "X-Grafana-Alerting-Signature": _sign("wrong", body, stamp)},
    )
    assert wrong.status_code == 401, wrong.text
    right = await front_door.http.post(
        GRAFANA_PATH,
        content=body,
        headers={
            **headers,
            "X-Grafana-Alerting-Signature": _sign(
                "s3cret-for-hmac", body, stamp if timestamp_header else None
            ),
        },
    )
    assert right.status_code == 202, right.text


async def test_pagerduty_trigger_acknowledge_resolve(front_door: FrontDoorUnderTest) -> None:
    dedup_key = f"srv01/HTTP {unique('x')}"  # any string PagerDuty takes, spaces and all
    component = unique("db")
    key = KEYS["pagerduty"]
    trigger = await front_door.http.post(
        "/v2/enqueue", json=pagerduty_event(key, "trigger", dedup_key, component)
    )
    assert trigger.status_code == 202, trigger.text
    answer = trigger.json()
    assert (answer["status"], answer["message"], answer["dedup_key"]) == (
        "success",
        "Event processed",
        dedup_key,
    )
    incident = answer["incident"]["key"]
    state = await front_door.state(incident, lambda s: s.tier == 1, "paged tier 1")
    assert (state.severity, state.service) == ("critical", component)
    assert "Component: mysql" not in state.description and f"Component: {component}" in (
        state.description
    )

    ack = await front_door.http.post(
        "/v2/enqueue", json=pagerduty_event(key, "acknowledge", dedup_key)
    )
    assert ack.status_code == 202, ack.text
    assert ack.json()["incident"]["outcome"] == "acknowledged"
    await front_door.state(incident, lambda s: s.status == "acknowledged", "acknowledged")

    resolve = await front_door.http.post(
        "/v2/enqueue", json=pagerduty_event(key, "resolve", dedup_key)
    )
    assert resolve.status_code == 202, resolve.text
    await front_door.state(incident, lambda s: s.status == "resolved", "resolved")

    again = await front_door.http.post(
        "/v2/enqueue", json=pagerduty_event(key, "resolve", dedup_key)
    )
    assert again.status_code == 202, again.text
    assert again.json()["incident"]["outcome"] == "ignored"


async def test_pagerduty_trigger_without_dedup_key_gets_one(front_door: FrontDoorUnderTest) -> None:
    event = pagerduty_event(KEYS["pagerduty"], "trigger", "unused", unique("db"))
    del event["dedup_key"]
    response = await front_door.http.post("/v2/enqueue", json=event)
    assert response.status_code == 202, response.text
    assert len(response.json()["dedup_key"]) == 32


async def test_pagerduty_bad_event_names_the_field(front_door: FrontDoorUnderTest) -> None:
    event = pagerduty_event(KEYS["pagerduty"], "trigger", unique("x"))
    event["payload"]["severity"] = "apocalyptic"
    response = await front_door.http.post("/v2/enqueue", json=event)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == "invalid event"
    assert [e.split(":")[0] for e in body["errors"]] == ["payload.severity"]


async def test_alertmanager_unknown_keys_ignored(front_door: FrontDoorUnderTest) -> None:
    service = unique("svc")
    response = await front_door.http.post(
        "/v1/integrations/alertmanager",
        json=alertmanager_notification(service),
        headers=front_door.bearer("prometheus"),
    )
    assert response.status_code == 202, response.text
    (opened,) = response.json()["incidents"]
    state = await front_door.state(opened["key"], lambda s: s.tier == 1, "paged tier 1")
    assert state.service == service
    retried = await front_door.http.post(
        "/v1/integrations/alertmanager",
        json=alertmanager_notification(service),
        headers=front_door.bearer("prometheus"),
    )
    assert retried.json()["incidents"][0]["outcome"] == "joined"
    refired = alertmanager_notification(service)
    refired["alerts"][0]["startsAt"] = "2026-01-01T11:00:00Z"  # fired again: a new alert
    await front_door.http.post(
        "/v1/integrations/alertmanager", json=refired, headers=front_door.bearer("prometheus")
    )
    state = await front_door.state(opened["key"], lambda s: s.alerts_received >= 2, "counted")
    assert state.alerts_received == 2  # the retry in between was recognised, not counted


async def test_alertmanager_bad_label_is_named(front_door: FrontDoorUnderTest) -> None:
    payload = alertmanager_notification(unique("svc"))
    payload["alerts"][0]["labels"]["users_affected"] = "lots"
    payload["commonLabels"]["users_affected"] = "lots"
    response = await front_door.http.post(
        "/v1/integrations/alertmanager", json=payload, headers=front_door.bearer("prometheus")
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0].startswith("alerts[0].labels.users_affected:")
