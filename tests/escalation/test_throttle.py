"""Per-address sliding windows (GoAlert's SMS limits as the baseline), holding and bundling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from activities.message_rendering import render
from escalation import gsm7
from escalation.actions import MessageFacts
from escalation.messages import OutboundMessage
from escalation.policy import SMS_LIMITS, VOICE_LIMITS, ThrottleLimit
from escalation.policy_loader import PolicyInvalid, parse_policy
from escalation.throttle import (
    REJECTIONS_KEPT,
    Allowed,
    Deferred,
    SignalRejection,
    SlotRequest,
    ThrottleState,
    bundle,
    decide,
    prune,
    throttle_workflow_id,
)
from tests.escalation.test_policy_loader import BASE

T0 = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
FIVE_PER_15M = ThrottleLimit(limit=5, per=timedelta(minutes=15))
ELEVEN_PER_HOUR = ThrottleLimit(limit=11, per=timedelta(hours=1))
GOALERT_SMS = [FIVE_PER_15M, ELEVEN_PER_HOUR]


def test_goalert_limits_are_the_defaults() -> None:
    assert [(limit.limit, limit.per) for limit in SMS_LIMITS][:2] == [
        (5, timedelta(minutes=15)),
        (11, timedelta(hours=1)),
    ]
    assert [(limit.limit, limit.per) for limit in VOICE_LIMITS][:2] == [
        (3, timedelta(minutes=15)),
        (7, timedelta(hours=1)),
    ]
    assert parse_policy(BASE).throttle.limits("email") == []


def test_five_sms_at_once_then_the_sixth_waits_exactly_fifteen_minutes() -> None:
    window: list[datetime] = []
    for _ in range(5):
        assert decide(window, GOALERT_SMS, T0) == Allowed()
        window.append(T0)
    assert decide(window, GOALERT_SMS, T0) == Deferred(until=T0 + 15 * MINUTE, limit=FIVE_PER_15M)
    just_before = T0 + 15 * MINUTE - timedelta(microseconds=1)
    assert isinstance(decide(window, GOALERT_SMS, just_before), Deferred)
    assert decide(window, GOALERT_SMS, T0 + 15 * MINUTE) == Allowed()


def test_the_window_slides_one_send_at_a_time() -> None:
    window = [T0 + i * MINUTE for i in range(5)]  # 14:00 .. 14:04
    assert decide(window, GOALERT_SMS, T0 + 5 * MINUTE) == Deferred(
        until=T0 + 15 * MINUTE, limit=FIVE_PER_15M
    )
    window.append(T0 + 15 * MINUTE)  # 14:00 left the window; 14:15 takes its place
    assert decide(window, GOALERT_SMS, T0 + 15 * MINUTE) == Deferred(
        until=T0 + 16 * MINUTE, limit=FIVE_PER_15M
    )
    assert decide(window, GOALERT_SMS, T0 + 16 * MINUTE) == Allowed()


def test_eleven_per_hour_holds_once_the_fifteen_minute_windows_have_room() -> None:
    window = [T0] * 5 + [T0 + 15 * MINUTE] * 5 + [T0 + 30 * MINUTE]
    now = T0 + 31 * MINUTE
    assert decide(window, [FIVE_PER_15M], now) == Allowed()
    assert decide(window, GOALERT_SMS, now) == Deferred(
        until=T0 + 60 * MINUTE, limit=ELEVEN_PER_HOUR
    )
    assert decide(window, GOALERT_SMS, T0 + 60 * MINUTE) == Allowed()


def test_the_latest_opening_over_all_limits_wins() -> None:
    # 11 in the hour, the last 5 within 15 minutes: 15-minute room at 14:59, hourly at 15:00.
    window = [T0] * 6 + [T0 + 44 * MINUTE] * 5
    verdict = decide(window, GOALERT_SMS, T0 + 50 * MINUTE)
    assert verdict == Deferred(until=T0 + 60 * MINUTE, limit=ELEVEN_PER_HOUR)


def test_prune_keeps_what_the_longest_limit_still_counts() -> None:
    window = [T0, T0 + 30 * MINUTE, T0 + 59 * MINUTE]
    assert prune(window, GOALERT_SMS, T0 + 60 * MINUTE) == [T0 + 30 * MINUTE, T0 + 59 * MINUTE]
    assert decide([], [], T0) == Allowed()


def _request(number: int, title: str = "checkout failing") -> SlotRequest:
    facts = MessageFacts(
        incident_id=f"incident-{number}",
        title=title,
        service="payments",
        severity="critical",
        status="triggered",
        tier_name="Tier 1 frontline",
        opened_at=T0,
        ack_due=T0 + 15 * MINUTE,
        resolve_due=T0 + 240 * MINUTE,
    )
    message = OutboundMessage(
        notification_id=f"incident-{number}/n1",
        purpose="page",
        channel="sms",
        recipient="Alice Ng",
        address="+15555550101",
        facts=facts,
    )
    return SlotRequest(requester=f"incident-{number}", message=message, requested_at=T0)


def _state() -> ThrottleState:
    return ThrottleState(channel="sms", address="+15555550101", limits=GOALERT_SMS)


def test_a_storm_of_eight_sends_five_and_bundles_three_into_one_message() -> None:
    state = _state()
    answers = [state.admit(_request(n), T0) for n in range(8)]
    assert [a.outcome for a in answers if a] == ["send"] * 5 + ["held"] * 3
    held = [a for a in answers if a and a.outcome == "held"]
    assert {a.held_until for a in held} == {T0 + 15 * MINUTE}
    assert "5 per 15m reached" in held[0].reason
    assert state.take_bundle("throttle-sms-+15555550101", T0 + 14 * MINUTE) is None
    taken = state.take_bundle("throttle-sms-+15555550101", T0 + 15 * MINUTE)
    assert taken is not None
    message, carried = taken
    assert message.notification_id == "throttle-sms-+15555550101/b1"
    assert [r.requester for r in carried] == ["incident-5", "incident-6", "incident-7"]
    assert [p.incident_id for p in message.bundled] == ["incident-5", "incident-6", "incident-7"]
    assert state.held == [] and state.sent[-1] == T0 + 15 * MINUTE  # the bundle counts once


def test_requests_queue_behind_held_messages_and_duplicates_are_ignored() -> None:
    state = _state()
    for n in range(6):
        state.admit(_request(n), T0)
    assert state.admit(_request(5), T0) is None  # a retried request
    later = state.admit(_request(6), T0 + 20 * MINUTE)  # room again, but 5 is still held
    assert later is not None and later.outcome == "held"
    taken = state.take_bundle("t", T0 + 20 * MINUTE)
    assert taken is not None and len(taken[1]) == 2


def test_a_withdrawn_message_leaves_the_bundle_and_a_late_request_for_it_is_ignored() -> None:
    state = _state()
    for n in range(7):
        state.admit(_request(n), T0)
    assert state.withdraw("incident-5/n1")
    assert state.withdraw("incident-9/n1") is False
    assert state.admit(_request(9), T0) is None  # it arrived after its withdrawal
    taken = state.take_bundle("t", T0 + 15 * MINUTE)
    assert taken is not None and [r.requester for r in taken[1]] == ["incident-6"]


def test_only_the_latest_rejections_are_kept_and_older_carried_state_loads_without_any() -> None:
    state = _state()
    for n in range(REJECTIONS_KEPT + 5):
        state.reject(SignalRejection(at=T0 + n * MINUTE, signal="request_slot", reason=f"r{n}"))
    assert [r.reason for r in state.rejections] == [f"r{n}" for n in range(5, REJECTIONS_KEPT + 5)]
    carried = _state().model_dump(mode="json")
    del carried["rejections"]  # state carried across continue-as-new before the field existed
    assert ThrottleState.model_validate(carried).rejections == []


def test_a_throttle_ends_only_when_quiet_and_its_windows_are_empty() -> None:
    state = _state()
    assert state.idle_until() is None
    state.admit(_request(1), T0)
    assert state.idle_until() == T0 + 60 * MINUTE  # the longest window, and an hour of quiet
    state.admit(_request(2), T0 + 50 * MINUTE)
    assert state.idle_until() == T0 + 110 * MINUTE


def test_the_bundled_sms_names_what_was_held_within_one_segment() -> None:
    held = [_request(n, title=f"incident number {n} with a rather long title") for n in range(7)]
    rendered = render(bundle("throttle-sms-+15555550101/b1", held).model_copy())
    assert rendered.text == (
        "[CRITICAL] 7 pages held by rate limit: incident number 0 with a rather long t...; "
        "incident number 1 with a rather long t... +5 more. Details: escalation list"
    )
    assert gsm7.septets(rendered.text) <= gsm7.SEGMENT_SEPTETS
    mixed = [_request(1), _request(2)]
    mixed[1].message.facts.severity = "high"
    assert render(bundle("b2", mixed)).text == (
        "2 pages held by rate limit: [CRITICAL] checkout failing (payments); "
        "[HIGH] checkout failing (payments). Details: escalation list"
    )


def test_a_bundled_call_reads_each_held_page() -> None:
    voice = bundle("b", [_request(1), _request(2)]).model_copy(update={"channel": "voice"})
    text = render(voice).text
    assert text.count("Service payments. checkout failing.") == 2
    assert "2 pages held by rate limit" in text


def test_the_policy_takes_its_own_limits_and_never_throttles_email() -> None:
    policy = parse_policy(BASE + "throttle:\n  sms: [{limit: 3, per: 10m}]\n  voice: []\n")
    assert policy.throttle.sms == [ThrottleLimit(limit=3, per=timedelta(minutes=10))]
    assert policy.throttle.voice == []
    with pytest.raises(PolicyInvalid, match=r"throttle\.email"):
        parse_policy(BASE + "throttle:\n  email: [{limit: 3, per: 10m}]\n")
    with pytest.raises(PolicyInvalid, match="limit"):
        parse_policy(BASE + "throttle:\n  sms: [{limit: 0, per: 10m}]\n")


def test_workflow_ids_name_the_channel_and_number() -> None:
    assert throttle_workflow_id("sms", "+15555550101") == "throttle-sms-+15555550101"
    assert throttle_workflow_id("voice", "+15555550101", "q1") == "throttle-q1-voice-+15555550101"
