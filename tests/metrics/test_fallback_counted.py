"""A page refused for good on one channel is counted as failed, and its fallback as a fallback.

The same refusal as tests/workflows/test_channel_fallback.py (Twilio 21211 from the local fake
provider), in a time-skipping server whose SDK runtime buffers metrics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.runtime import MetricBuffer, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment

from starter.devserver import find_executable
from tests.fakes.providers import FakeProviders, twilio_error
from tests.workflows.helpers import SMS_ONLY_POLICY, policy_variant
from tests.workflows.test_channel_fallback import MESSAGES, paged_until
from wiring.search_attributes import register_search_attributes
from wiring.temporal import DATA_CONVERTER


@pytest.fixture
def buffer() -> MetricBuffer:
    return MetricBuffer(100_000)


@pytest_asyncio.fixture
async def metered_env(buffer: MetricBuffer) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_executable("temporal-test-server"),
        data_converter=DATA_CONVERTER,
        runtime=Runtime(telemetry=TelemetryConfig(metrics=buffer)),
    )
    await register_search_attributes(env.client)
    yield env
    await env.shutdown()


async def test_a_refused_page_and_its_fallback_are_counted(
    metered_env: WorkflowEnvironment,
    buffer: MetricBuffer,
    make_worker,
    providers: FakeProviders,
    tmp_path: Path,
) -> None:
    providers.inject(
        MESSAGES, twilio_error(400, 21211, "The 'To' number is not a valid phone number.")
    )
    policy = policy_variant(tmp_path, SMS_ONLY_POLICY, "channels: [sms], review: required")
    worker = make_worker(metered_env.client, policy, providers.transports())
    async with worker.worker:
        await paged_until(worker, "email")

    counted: Counter[tuple[str, ...]] = Counter()
    for update in buffer.retrieve_updates():
        labels = update.attributes
        if update.metric.name == "escalation_fallbacks":
            counted["fallback", str(labels["channel"]), str(labels["fallback"])] += int(
                update.value
            )
        elif update.metric.name == "escalation_notifications" and labels["purpose"] == "page":
            counted["page", str(labels["channel"]), str(labels["outcome"])] += int(update.value)
    assert counted["fallback", "sms", "email"] == 1
    assert counted["page", "sms", "failed"] >= 1
    assert counted["page", "email", "sent"] >= 1
    assert sum(n for key, n in counted.items() if key[0] == "fallback") == 1
