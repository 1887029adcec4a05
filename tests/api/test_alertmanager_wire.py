"""A real Alertmanager notifies the front door: grouped and per alert, firing then resolved."""

from __future__ import annotations

from pathlib import Path

import yaml

from api.keys import key_digest
from escalation.incident import IncidentState
from starter.listing import IncidentListing, list_incidents
from tests.api.alertmanager_process import Alertmanager, alertmanager
from tests.api.conftest import KEYS, FrontDoorUnderTest, unique
from tests.polling import poll

PER_ALERT_KEY = "demo-per-alert-key"


async def incidents_of(front_door: FrontDoorUnderTest, service: str, count: int) -> list[str]:
    """Keys of the incidents opened for a service, once there are `count` of them."""
    listed: list[IncidentListing] = await poll(
        lambda: list_incidents(front_door.client, service=service),
        lambda rows: len(rows) >= count,
        f"{count} incident(s) for {service}",
        every=0.2,
    )
    assert len(listed) == count, listed
    return [row.key for row in listed]


def cleared(state: IncidentState) -> bool:
    return (
        state.status in ("resolved", "closed")  # closed at once where no review is required
        and state.resolution is not None
        and state.resolution.cause.startswith("cleared by alertmanager")
    )


async def test_grouped_alerts_open_one_incident_then_resolve(
    front_door: FrontDoorUnderTest, tmp_path: Path
) -> None:
    run, service = unique("run"), unique("svc")
    labels = {
        "alertname": "CheckoutErrors",
        "test_run": run,
        "service": service,
        "severity": "page",
    }
    url = f"{front_door.service.url}/v1/integrations/alertmanager"
    async with alertmanager(tmp_path / "am", url, KEYS["prometheus"]) as am:
        await am.post(
            [
                Alertmanager.alert({**labels, "instance": "a"}, "checkout 5xx"),
                Alertmanager.alert({**labels, "instance": "b", "client": "acme"}, "checkout 5xx"),
            ]
        )
        (key,) = await incidents_of(front_door, service, 1)
        state = await front_door.state(
            key,
            lambda s: s.clients_affected == ["acme"],
            "b's client merged (one notification or two)",
        )
        assert state.severity == "critical"  # severity=page, mapped by the integration
        assert state.tier == 1
        assert state.title == "checkout 5xx"  # the group's common summary
        await am.post(
            [
                Alertmanager.alert({**labels, "instance": "a"}, "a", resolved=True),
                Alertmanager.alert(
                    {**labels, "instance": "b", "client": "acme"}, "b", resolved=True
                ),
            ]
        )
        await front_door.state(key, cleared, "resolved as cleared by alertmanager")
    assert await incidents_of(front_door, service, 1) == [key]


async def test_per_alert_incidents(front_door: FrontDoorUnderTest, tmp_path: Path) -> None:
    policy = yaml.safe_load(front_door.policy_file.read_text())
    policy["integrations"]["prom-alerts"] = {
        "type": "alertmanager",
        "incident_per": "alert",
        "resolve_on_clear": True,
        "key_sha256": [key_digest(PER_ALERT_KEY)],
    }
    front_door.policy_file.write_text(yaml.safe_dump(policy))
    run, service = unique("run"), unique("svc")
    labels = {"alertname": "DiskFull", "test_run": run, "service": service}
    url = f"{front_door.service.url}/v1/integrations/alertmanager"
    async with alertmanager(tmp_path / "am", url, PER_ALERT_KEY) as am:
        await am.post(
            [
                Alertmanager.alert({**labels, "instance": "a"}, "disk full on a"),
                Alertmanager.alert({**labels, "instance": "b"}, "disk full on b"),
            ]
        )
        keys = await incidents_of(front_door, service, 2)
        states = {}
        for key in keys:
            states[key] = await front_door.state(key, lambda s: s.tier == 1, "paged tier 1")
        by_title = {state.title: key for key, state in states.items()}
        assert set(by_title) == {"disk full on a", "disk full on b"}
        await am.post([Alertmanager.alert({**labels, "instance": "a"}, "a", resolved=True)])
        await front_door.state(by_title["disk full on a"], cleared, "alert a resolved")
        still = await front_door.state(by_title["disk full on b"], lambda s: True, "alert b")
        assert still.status == "triggered"
