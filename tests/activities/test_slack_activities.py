"""The Slack activities with the real slack_sdk against the local fake Web API."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.provider_errors import RATE_LIMITED, TRANSIENT_FAILURE
from activities.slack_activities import SlackActivities
from activities.slack_client import slack_settings
from activities.slack_pacing import ChannelPacer
from escalation.environment import SettingInvalid
from escalation.messages import PERMANENT_FAILURE
from escalation.slack import (
    SeveritySlack,
    SlackClosing,
    SlackLines,
    SlackOpening,
    SlackStatus,
    SlackStatusChange,
)
from tests.fakes.slack import (
    FAKE_SLACK_BOT_TOKEN,
    FAKE_SLACK_SIGNING_SECRET,
    OUTAGE,
    RATELIMITED,
    FakeSlack,
    SlackFault,
)

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
STATUS = SlackStatus(
    key="db-down",
    title="Database down",
    service="payments",
    status="triggered",
    severity="critical",
    tier=1,
    ack_due=NOW + timedelta(minutes=15),
    resolve_due=NOW + timedelta(hours=4),
)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def activities(fake: FakeSlack, interval: float = 0.0) -> SlackActivities:
    env = {
        "SLACK_BOT_TOKEN": FAKE_SLACK_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": FAKE_SLACK_SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    settings = slack_settings(env)
    assert settings is not None
    return SlackActivities(settings.web_client(), ChannelPacer(interval))


def test_a_taken_channel_name_gets_a_suffix_and_members_are_invited(slack: FakeSlack) -> None:
    slack.taken.add("inc-db-down")
    thread = activities(slack).open(
        SlackOpening(key="DB down", where=SeveritySlack(), status=STATUS, members=["U0ALICE"])
    )
    created = slack.called("conversations.create")
    assert [call.args["name"] for call in created] == ["inc-db-down-2"]
    assert slack.called("conversations.invite")[0].args == {
        "channel": thread.channel_id,
        "users": "U0ALICE",
    }
    posted = slack.called("chat.postMessage")[0].args
    assert posted["channel"] == thread.channel_id and thread.status_ts
    buttons = next(b for b in posted["blocks"] if b["type"] == "actions")["elements"]
    assert [b["action_id"] for b in buttons] == [
        "incident_acknowledge",
        "incident_escalate",
        "incident_post_update",
        "incident_resolve",
    ]
    assert {b["value"] for b in buttons} == {"db-down"}
    assert thread.own_channel and thread.invited == ["U0ALICE"]


def test_a_fixed_channel_gets_a_thread_and_no_new_channel(slack: FakeSlack) -> None:
    where = SeveritySlack(channel="#incidents")
    thread = activities(slack).open(SlackOpening(key="k", where=where, status=STATUS))
    assert slack.called("conversations.create") == []
    assert slack.called("chat.postMessage")[0].args["channel"] == "#incidents"
    assert not thread.own_channel


def test_ratelimited_raises_a_retry_after_slacks_delay_without_the_token(
    slack: FakeSlack,
) -> None:
    slack.fail("chat.update", SlackFault(429, "ratelimited", retry_after=7))
    change = SlackStatusChange(channel_id="C1", status_ts="1.1", status=STATUS)
    with pytest.raises(ApplicationError) as raised:
        activities(slack).update_status(change)
    assert raised.value.type == RATE_LIMITED and not raised.value.non_retryable
    assert raised.value.next_retry_delay == timedelta(seconds=7)
    assert FAKE_SLACK_BOT_TOKEN not in str(raised.value)
    activities(slack).update_status(change)  # Slack answers again
    assert slack.called("chat.update")[0].args["ts"] == "1.1"


def test_an_outage_is_retryable_and_a_refusal_is_final(slack: FakeSlack) -> None:
    lines = SlackLines(channel_id="C1", thread_ts="1.1", lines=["Paged (escalation): alice"])
    slack.fail("chat.postMessage", OUTAGE, SlackFault(200, "channel_not_found"))
    with pytest.raises(ApplicationError) as outage:
        activities(slack).tell(lines)
    assert outage.value.type == TRANSIENT_FAILURE
    with pytest.raises(ApplicationError) as refused:
        activities(slack).tell(lines)
    assert refused.value.type == PERMANENT_FAILURE and refused.value.non_retryable


def test_thread_lines_to_one_channel_wait_their_turn(slack: FakeSlack) -> None:
    """About a message a second per channel; another channel does not wait (a frozen clock:
    each booked slot shows as a sleep)."""
    slept: list[float] = []
    pacer = ChannelPacer(1.0, clock=lambda: 100.0, sleep=slept.append)
    calls = activities(slack)
    calls.pacer = pacer
    calls.tell(SlackLines(channel_id="C1", thread_ts="1.1", lines=["one", "two", "three"]))
    calls.tell(SlackLines(channel_id="C2", thread_ts="2.1", lines=["other"]))
    assert slept == [1.0, 2.0]
    posted = slack.called("chat.postMessage")
    assert [(c.args["channel"], c.args["text"]) for c in posted] == [
        ("C1", "one"),
        ("C1", "two"),
        ("C1", "three"),
        ("C2", "other"),
    ]


def test_closing_posts_the_summary_then_archives_once(slack: FakeSlack) -> None:
    closing = SlackClosing(channel_id="C1", thread_ts="1.1", summary="closed", archive=True)
    activities(slack).close(closing)
    slack.fail("conversations.archive", SlackFault(200, "already_archived"))
    activities(slack).close(closing)  # a retry after Slack archived it: no error
    methods = [call.method for call in slack.calls]
    assert methods[:2] == ["chat.postMessage", "conversations.archive"]


def test_rate_limit_fault_is_what_slack_sends(slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", RATELIMITED)
    with pytest.raises(ApplicationError) as raised:
        activities(slack).tell(SlackLines(channel_id="C1", thread_ts="1.1", lines=["x"]))
    assert raised.value.next_retry_delay == timedelta(seconds=1)


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "s"}, "xoxb-"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "nope"},
            "SLACK_API_URL",
        ),
    ],
)
def test_half_set_up_slack_is_refused_in_one_line(env: dict[str, str], problem: str) -> None:
    with pytest.raises(SettingInvalid, match=problem):
        slack_settings(env)


def test_no_slack_variables_mean_slack_is_off() -> None:
    assert slack_settings({}) is None


def test_a_retried_opening_reuses_the_channel_it_created(slack: FakeSlack) -> None:
    """The post fails after the channel was created: the retry posts there, no second channel."""
    opening = SlackOpening(key="db-down", where=SeveritySlack(), status=STATUS)
    calls = activities(slack)
    first = ActivityEnvironment()
    beats: list[tuple] = []
    first.on_heartbeat = lambda *details: beats.append(details)
    slack.fail("chat.postMessage", RATELIMITED)
    with pytest.raises(ApplicationError):
        first.run(calls.open, opening)
    retry = ActivityEnvironment()
    retry.info = dataclasses.replace(retry.info, attempt=2, heartbeat_details=list(beats[-1]))
    thread = retry.run(calls.open, opening)
    created = slack.called("conversations.create")
    assert [call.args["name"] for call in created] == ["inc-db-down"]
    assert thread.channel_id == created[0].answer["channel"]["id"]
    assert slack.called("chat.postMessage")[0].args["channel"] == thread.channel_id
