"""The workflow decides from the activity's facts, and reads old histories' details as it did then."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from escalation.messages import OUR_BUG, PERMANENT_FAILURE
from workflows.fallback import DeliveryFailure


def failed(error_type: str, *details: Any) -> ActivityError:
    """An activity failure as the workflow receives it: an ActivityError caused by the refusal."""
    activity_error = ActivityError(
        "activity failed",
        scheduled_event_id=5,
        started_event_id=6,
        identity="worker",
        activity_type="deliver_message",
        activity_id="1",
        retry_state=RetryState.NON_RETRYABLE_FAILURE,
    )
    activity_error.__cause__ = ApplicationError("refused", *details, type=error_type)
    return activity_error


@pytest.mark.parametrize("usable", [True, False])
def test_a_permanent_refusal_follows_the_activitys_verdict_on_the_address(usable: bool) -> None:
    answer = {"provider": "twilio", "status": 400, "code": 21211, "address_usable": usable}

    failure = DeliveryFailure.of(failed(PERMANENT_FAILURE, answer))

    assert failure.address_still_usable is usable


@pytest.mark.parametrize(("code", "usable"), [(21211, False), (21610, True), (21614, True)])
def test_old_histories_details_without_the_verdict_are_read_from_the_twilio_code(
    code: int, usable: bool
) -> None:
    answer = {"provider": "twilio", "status": 400, "code": code}

    assert DeliveryFailure.of(failed(PERMANENT_FAILURE, answer)).address_still_usable is usable


def test_a_permanent_refusal_without_details_keeps_the_address() -> None:
    assert DeliveryFailure.of(failed(PERMANENT_FAILURE)).address_still_usable


def test_an_exhausted_retry_gives_up_on_the_address_even_if_the_provider_called_it_usable() -> None:
    answer = {"provider": "sendgrid", "status": 503, "address_usable": True}

    assert not DeliveryFailure.of(failed("TransientDeliveryFailure", answer)).address_still_usable


def test_a_bug_in_our_own_code_says_nothing_against_the_address() -> None:
    assert DeliveryFailure.of(failed(OUR_BUG)).address_still_usable
