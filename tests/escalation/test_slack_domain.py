"""Slack in the policy and the domain: validated ids and channels, channel names, thread lines."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from escalation.contacts import Contact
from escalation.policy import Policy
from escalation.slack import SeveritySlack, channel_name
from escalation.slack_status import contact_for_slack_user, slack_members
from tests.escalation.report_scenario import open_incident


@pytest.mark.parametrize("user", ["alice", "u0123abc", "C0123ABC", "U0", ""])
def test_a_contact_slack_id_must_be_a_member_id(user: str) -> None:
    with pytest.raises(ValidationError, match="slack"):
        Contact(email="a@example.com", slack=user)


@pytest.mark.parametrize("channel", ["incidents", "#Incidents", "#a b", "per-incident"])
def test_a_severity_channel_is_per_incident_or_a_channel_name(channel: str) -> None:
    with pytest.raises(ValidationError, match="per_incident"):
        SeveritySlack(channel=channel)


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("db-down", "inc-db-down"),
        ("Checkout 5xx @ EU", "inc-checkout-5xx-eu"),
        ("a" * 100, "inc-" + "a" * 76),
        ("x:y.z~2", "inc-x-y-z-2"),
    ],
)
def test_channel_names_follow_slacks_rules(key: str, name: str) -> None:
    assert channel_name(key) == name
    assert len(name) <= 80


def test_slack_users_map_to_contacts(example_policy: Policy) -> None:
    assert contact_for_slack_user(example_policy, "U0ALICE01") == "alice"
    assert contact_for_slack_user(example_policy, "U0NOBODY") is None


def test_members_follow_the_tiers_paged_and_management(example_policy: Policy) -> None:
    state = open_incident(example_policy, "db-down")
    assert slack_members(example_policy, state) == ["U0ALICE01"]
    state.position.tier_index = 2
    state.position.management_engaged = True
    assert slack_members(example_policy, state) == ["U0ALICE01", "U0BOB0002", "U0ERIN003"]
