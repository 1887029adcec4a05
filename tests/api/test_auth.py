"""Keys: none, wrong, rotated, another integration's; compared in constant time; nothing opens."""

from __future__ import annotations

import hmac

import pytest
import yaml
from temporalio.service import RPCError, RPCStatusCode

from api import keys
from api.keys import find_integration, key_digest
from escalation.policy import Policy
from tests.api.conftest import KEYS, FrontDoorUnderTest, unique


def alert(key: str) -> dict[str, object]:
    return {"title": "disk full", "dedup_key": key}


async def assert_never_opened(front_door: FrontDoorUnderTest, key: str) -> None:
    with pytest.raises(RPCError) as raised:
        await front_door.client.get_workflow_handle(f"incident-{key}").describe()
    assert raised.value.status == RPCStatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-a-key"}, 401),
        ({"Authorization": f"Basic {KEYS['generic']}"}, 401),
        ({"Authorization": f"Bearer {KEYS['grafana']}"}, 403),
    ],
    ids=["no key", "wrong key", "wrong scheme", "another integration's key"],
)
async def test_refused_keys_open_nothing(
    front_door: FrontDoorUnderTest, headers: dict[str, str], code: int
) -> None:
    key = unique("auth")
    response = await front_door.http.post("/v1/alerts", json=alert(key), headers=headers)
    assert response.status_code == code, response.text
    await assert_never_opened(front_door, key)


async def test_pagerduty_routing_key_is_its_key(front_door: FrontDoorUnderTest) -> None:
    event = {
        "routing_key": KEYS["prometheus"],
        "event_action": "trigger",
        "payload": {"summary": "x", "source": "y", "severity": "info"},
    }
    assert (await front_door.http.post("/v2/enqueue", json=event)).status_code == 403
    event["routing_key"] = "nope"
    assert (await front_door.http.post("/v2/enqueue", json=event)).status_code == 401


async def test_rotated_key(front_door: FrontDoorUnderTest) -> None:
    new_key = keys.new_key()
    policy = yaml.safe_load(front_door.policy_file.read_text())
    old_digest = policy["integrations"]["generic"]["key_sha256"][0]
    policy["integrations"]["generic"]["key_sha256"] = [old_digest, key_digest(new_key)]
    front_door.policy_file.write_text(yaml.safe_dump(policy))
    for key in (KEYS["generic"], new_key):
        response = await front_door.http.post(
            "/v1/alerts", json=alert(unique("rot")), headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 202, response.text

    policy["integrations"]["generic"]["key_sha256"] = [key_digest(new_key)]
    front_door.policy_file.write_text(yaml.safe_dump(policy))
    retired = await front_door.http.post(
        "/v1/alerts", json=alert(unique("rot")), headers=front_door.bearer("generic")
    )
    assert retired.status_code == 401


def test_every_digest_is_compared_in_constant_time(
    example_policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whichever key matches, and whether any does, every stored digest goes through
    hmac.compare_digest: no early exit whose timing would tell a guess how close it came."""
    stored = sum(len(i.key_sha256) for i in example_policy.integrations.values())
    assert stored >= 4
    calls: list[bytes] = []
    compare = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append(b)
        return compare(a, b)

    monkeypatch.setattr(keys.hmac, "compare_digest", counting)
    for presented in (KEYS["prometheus"], KEYS["generic"], "wrong", None):
        calls.clear()
        found = find_integration(presented, example_policy.integrations)
        assert len(calls) == stored, presented
        assert (found.name if found else None) == {
            KEYS["prometheus"]: "prometheus",
            KEYS["generic"]: "generic",
        }.get(presented or "")
