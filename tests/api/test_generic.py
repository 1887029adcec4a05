"""`POST /v1/alerts`: our Alert JSON opens an incident or joins the open one."""

from __future__ import annotations

from tests.api.conftest import FrontDoorUnderTest, unique


async def test_alert_opens_then_joins(front_door: FrontDoorUnderTest) -> None:
    key = unique("generic")
    alert = {"title": "checkout failing", "clients_affected": ["acme", "globex"], "dedup_key": key}
    first = await front_door.http.post(
        "/v1/alerts", json=alert, headers=front_door.bearer("generic")
    )
    assert first.status_code == 202, first.text
    (opened,) = first.json()["incidents"]
    assert opened["outcome"] == "opened"
    assert opened["workflow_id"] == f"incident-{key}"
    state = await front_door.state(key, lambda s: s.tier == 1, "incident open at tier 1")
    assert (state.service, state.severity) == ("payments", "critical")
    again = await front_door.http.post(
        "/v1/alerts", json=alert, headers=front_door.bearer("generic")
    )
    assert again.status_code == 202, again.text
    assert again.json()["incidents"][0]["outcome"] == "joined"
    await front_door.state(key, lambda s: s.alerts_received == 2, "second alert counted")


async def test_bad_field_is_named(front_door: FrontDoorUnderTest) -> None:
    response = await front_door.http.post(
        "/v1/alerts",
        json={"title": "", "users_affected": -1},
        headers=front_door.bearer("generic"),
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e.startswith("title:") for e in errors), errors
    assert any(e.startswith("users_affected:") for e in errors), errors


async def test_openapi_documents_every_intake_body(front_door: FrontDoorUnderTest) -> None:
    document = (await front_door.http.get("/openapi.json")).json()
    for path, field in (
        ("/v1/alerts", "dedup_key"),
        ("/v1/integrations/alertmanager", "groupKey"),
        ("/v1/integrations/grafana", "groupKey"),
        ("/v2/enqueue", "routing_key"),
    ):
        operation = document["paths"][path]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert field in schema["properties"], path
        assert {"202", "400", "401", "403", "413", "429", "503"} <= set(operation["responses"])
    assert (await front_door.http.get("/healthz")).json() == {"status": "ok"}
    assert (await front_door.http.get("/readyz")).status_code == 200
