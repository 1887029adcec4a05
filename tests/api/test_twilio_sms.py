"""`POST /v1/twilio/sms`: a reply to an SMS page acts on the incident as the contact who sent it."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus

from escalation.sms_codes import PASSIVE_REPLY_CAP
from tests.api.twilio_support import (
    ALICE,
    BOB,
    STRANGER,
    TwilioFrontDoor,
    twiml_messages,
)
from tests.polling import poll


async def reply_codes_in_history(door: TwilioFrontDoor, incident: str) -> list[int]:
    """The reply codes the incident's delivery activities returned (their results in history)."""
    codes = []
    async for event in door.client.get_workflow_handle(incident).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            payloads = event.activity_task_completed_event_attributes.result.payloads
            for result in await door.client.data_converter.decode(payloads):
                if isinstance(result, dict) and result.get("reply_code"):
                    codes.append(result["reply_code"])
    return codes


async def test_a_reply_acknowledges_the_page_it_answers(twilio_door: TwilioFrontDoor) -> None:
    incident = await twilio_door.open()
    page = await twilio_door.sms_page(incident)
    assert page.endswith("Reply 1a to ack, 1e to escalate"), page

    answer = await twilio_door.sms("+1 (555) 555-0101", "1A")  # as the phone formats it

    assert twiml_messages(answer) == [f"Acknowledged {incident} (tier 1, acknowledged)."]
    state = await twilio_door.state(incident, lambda s: s.status == "acknowledged", "acked")
    assert state.acknowledged_by == "alice"
    [entry] = [e for e in state.timeline if e.kind == "acknowledged"]
    assert entry.attribution == "alice via SMS reply"
    assert 1 in await reply_codes_in_history(twilio_door, incident)  # replay never re-asks


async def test_two_incidents_on_one_number_keep_their_codes_apart(
    twilio_door: TwilioFrontDoor,
) -> None:
    first = await twilio_door.open("checkout failing")
    assert await twilio_door.reply_code(first) == 1
    second = await twilio_door.open("search failing")
    assert await twilio_door.reply_code(second) == 2

    answer = await twilio_door.sms(ALICE, "2a")

    assert twiml_messages(answer) == [f"Acknowledged {second} (tier 1, acknowledged)."]
    await twilio_door.state(second, lambda s: s.status == "acknowledged", "second acked")
    assert (await twilio_door.state(first, lambda s: True, "first")).status == "triggered"
    # `e` alone acts on the newest page: the second incident, escalated to tier 2.
    answer = await twilio_door.sms(ALICE, "e")
    assert twiml_messages(answer) == [f"Escalated {second} (tier 2, acknowledged)."]
    assert (await twilio_door.state(first, lambda s: True, "first")).tier == 1


async def test_replies_to_finished_incidents_say_so_and_codes_are_freed(
    twilio_door: TwilioFrontDoor,
) -> None:
    first = await twilio_door.open()
    assert await twilio_door.reply_code(first) == 1
    handle = twilio_door.client.get_workflow_handle(first)
    await handle.signal(
        "resolve", {"by": "bob", "cause": "bad deploy", "resolution": "rolled back"}
    )
    await twilio_door.state(first, lambda s: s.status == "resolved", "resolved")

    assert twiml_messages(await twilio_door.sms(ALICE, "1a")) == ["1: already resolved by bob"]

    await handle.terminate("closed for the test")
    await poll(
        handle.describe,
        lambda d: d.status != WorkflowExecutionStatus.RUNNING,
        "first incident ended",
    )
    assert twiml_messages(await twilio_door.sms(ALICE, "1a")) == ["1: the incident is closed"]
    second = await twilio_door.open("search failing")
    assert await twilio_door.reply_code(second) == 1  # the closed incident's code is free again


async def test_only_policy_numbers_may_act(twilio_door: TwilioFrontDoor) -> None:
    incident = await twilio_door.open()
    await twilio_door.reply_code(incident)

    assert twiml_messages(await twilio_door.sms(STRANGER, "1a")) == []
    assert twiml_messages(await twilio_door.sms(BOB, "1a")) == [
        "Unknown code 1; reply a to ack the newest page."
    ]
    assert (await twilio_door.state(incident, lambda s: True, "status")).status == "triggered"


async def test_passive_answers_are_capped_until_an_action_succeeds(
    twilio_door: TwilioFrontDoor,
) -> None:
    incident = await twilio_door.open()
    await twilio_door.reply_code(incident)

    answers = [twiml_messages(await twilio_door.sms(ALICE, "help")) for _ in range(7)]

    assert [len(a) for a in answers] == [1] * PASSIVE_REPLY_CAP + [0, 0]
    assert answers[0][0].startswith("Reply 12a to ack")
    assert twiml_messages(await twilio_door.sms(ALICE, "1a")) == [
        f"Acknowledged {incident} (tier 1, acknowledged)."
    ]
    assert len(twiml_messages(await twilio_door.sms(ALICE, "?"))) == 1
