"""Action-link tokens and the emails that carry them, without a server: which messages get which
links, what a token says, and the settings that turn them on."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from activities.action_links import (
    ActionLinks,
    LinkExpired,
    LinkRefused,
    action_links_from_environment,
)
from activities.message_rendering import render
from escalation.environment import SettingInvalid
from escalation.messages import BundledPage
from tests.activities.support import OPENED, outbound

KEY = "a-test-key-that-is-long-enough-0123456789"
LINKS = ActionLinks(KEY, "https://escalation.example.com")


def token(url: str) -> str:
    return urlsplit(url).path.removeprefix("/v1/actions/")


def test_a_page_email_carries_acknowledge_and_escalate_for_its_contact() -> None:
    message = outbound("email", "page")
    links = LINKS.for_message(message)
    assert list(links) == ["acknowledge", "escalate"]
    claims = [LINKS.read(token(url)) for url in links.values()]
    assert [(c.verb, c.contact, c.incident_id, c.opened_at) for c in claims] == [
        ("acknowledge", "alice", "incident-db-primary-down", OPENED),
        ("escalate", "alice", "incident-db-primary-down", OPENED),
    ]
    assert claims[0].token_id != claims[1].token_id
    signatures = [token(url).rsplit(".", 1)[1] for url in links.values()]
    assert all(len(signature) == 43 for signature in signatures)  # HMAC-SHA256, 32 bytes
    email = render(message, links)
    for url in links.values():
        assert url in email.text and f'href="{url}"' in (email.html or "")
    assert "https://" not in render(message).text  # no key, no links


@pytest.mark.parametrize(
    ("channel", "purpose", "status", "expected"),
    [
        ("email", "escalation", "triggered", ["acknowledge", "escalate"]),
        ("email", "resolve_warning", "acknowledged", ["escalate"]),
        ("email", "page", "resolved", []),
        ("email", "client_opened", "triggered", []),
        ("email", "stakeholder_opened", "triggered", []),
        ("sms", "page", "triggered", []),
        ("voice", "page", "triggered", []),
    ],
)
def test_links_go_only_to_people_who_can_act_and_only_for_what_they_can_do(
    channel, purpose, status, expected
) -> None:
    assert list(LINKS.for_message(outbound(channel, purpose, status=status))) == expected


def test_a_bundle_of_several_incidents_carries_none() -> None:
    page = BundledPage(
        incident_id="incident-x", purpose="page", severity="critical", service="s", title="t"
    )
    bundle = outbound("email").model_copy(update={"bundled": [page, page]})
    assert LINKS.for_message(bundle) == {}


def test_another_key_an_altered_token_and_an_old_token_are_refused() -> None:
    url = LINKS.for_message(outbound("email"))["acknowledge"]
    other = ActionLinks("another-key-that-is-long-enough-987654321", LINKS.public_url)
    with pytest.raises(LinkRefused, match="not valid"):
        other.read(token(url))
    with pytest.raises(LinkRefused, match="not valid"):
        LINKS.read(token(url)[:-3] + "abc")
    past = ActionLinks(KEY, LINKS.public_url, ttl=timedelta(seconds=-1))
    with pytest.raises(LinkExpired, match="expired"):
        past.read(token(url))


def test_links_are_off_without_a_key_and_misconfiguration_is_one_line() -> None:
    assert action_links_from_environment({}) is None
    base = {"ESCALATION_ACTION_KEY": KEY, "ESCALATION_PUBLIC_URL": "https://e.example.com/"}
    links = action_links_from_environment(base | {"ESCALATION_ACTION_LINK_TTL": "3600"})
    assert links == ActionLinks(KEY, "https://e.example.com", timedelta(hours=1))
    problems = [
        (base | {"ESCALATION_ACTION_KEY": "short-key"}, "at least 32 characters"),
        ({"ESCALATION_ACTION_KEY": KEY}, "ESCALATION_PUBLIC_URL is not"),
        (base | {"ESCALATION_PUBLIC_URL": "e.example.com"}, "expected an http"),
        (base | {"ESCALATION_ACTION_LINK_TTL": "1d"}, "ESCALATION_ACTION_LINK_TTL='1d'"),
    ]
    for environ, expected in problems:
        with pytest.raises(SettingInvalid, match=expected) as raised:
            action_links_from_environment(environ)
        assert "short-key" not in str(raised.value) and KEY not in str(raised.value)
