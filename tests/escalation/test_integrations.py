"""The policy's `integrations` section: what it accepts and the mistakes it names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from escalation.policy_loader import PolicyInvalid, load_policy
from tests.conftest import EXAMPLE_POLICY

DIGEST = "a" * 64


def with_integrations(tmp_path: Path, integrations: object) -> Path:
    document = yaml.safe_load(EXAMPLE_POLICY.read_text())
    document["integrations"] = integrations
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(PolicyInvalid) as raised:
        load_policy(path)
    return raised.value.problems


def test_example_integrations_load() -> None:
    policy = load_policy(EXAMPLE_POLICY)
    assert policy.integrations["prometheus"].type == "alertmanager"
    assert policy.integrations["prometheus"].incident_per == "group"
    assert policy.integrations["grafana"].incident_per == "alert"


@pytest.mark.parametrize(
    ("integration", "where"),
    [
        ({"type": "nagios", "key_sha256": [DIGEST]}, "integrations.x.type"),
        ({"type": "generic", "key_sha256": []}, "integrations.x.key_sha256"),
        ({"type": "generic", "key_sha256": ["not-hex"]}, "integrations.x.key_sha256[0]"),
        (
            {"type": "generic", "key_sha256": [DIGEST], "incident_per": "day"},
            "integrations.x.incident_per",
        ),
        ({"type": "generic", "key_sha256": [DIGEST], "key": "s3cret"}, "integrations.x.key"),
        (
            {"type": "alertmanager", "key_sha256": [DIGEST], "severities": {"page": "sev1"}},
            "integrations.x.severities.page",
        ),
        (
            {"type": "pagerduty", "key_sha256": [DIGEST], "signing_secret_env": "X"},
            "integrations.x.signing_secret_env",
        ),
    ],
)
def test_mistakes_are_named(tmp_path: Path, integration: dict[str, object], where: str) -> None:
    found = problems(with_integrations(tmp_path, {"x": integration}))
    assert any(problem.startswith(where) for problem in found), found


def test_names_are_checked(tmp_path: Path) -> None:
    found = problems(
        with_integrations(tmp_path, {"Bad Name": {"type": "generic", "key_sha256": [DIGEST]}})
    )
    assert any("integrations" in problem for problem in found), found
