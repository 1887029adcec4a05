"""Fixtures the workflow tests share: one started incident, and the SMS-only policy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from tests.conftest import IncidentWorker
from tests.workflows.helpers import SMS_ONLY_POLICY, incident_started, policy_variant


@pytest.fixture
def alert_fields() -> dict[str, object]:
    """The alert fields `incident` opens with; a module overrides this fixture to change them."""
    return {}


@pytest_asyncio.fixture
async def incident(
    time_skipping_env: WorkflowEnvironment,
    make_worker: Callable[..., IncidentWorker],
    alert_fields: dict[str, object],
) -> AsyncIterator[WorkflowHandle]:
    """One open incident on the time-skipping server, its worker running for the whole test."""
    async with incident_started(time_skipping_env, make_worker, **alert_fields) as handle:
        yield handle


@pytest.fixture
def sms_only_policy(tmp_path: Path) -> Path:
    """The example policy with critical incidents paged by SMS only: a refusal must fall back."""
    return policy_variant(tmp_path, SMS_ONLY_POLICY, "channels: [sms], review: required")
