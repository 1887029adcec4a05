"""Everything the worker reads from files and the environment, checked before it connects.

A broken policy with an unreachable server must report the policy: the fix for the policy is in
the operator's hands, and it would still be broken once the server is back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from activities.action_links import ActionLinks, action_links_from_environment
from activities.archive.database import archive_url
from activities.delivery import Transport
from activities.slack_client import SlackSettings, slack_settings
from activities.transports import transports_from_environment
from escalation.contacts import Channel
from escalation.contract import TASK_QUEUE
from escalation.environment import choice_setting, count_setting, seconds_setting
from escalation.policy import Policy
from escalation.policy_loader import load_policy, policy_path
from wiring.temporal import Sandbox, client_config, sandbox_from_environment

GRACE_SETTING = "ESCALATION_SHUTDOWN_GRACE_SECONDS"
DEFAULT_GRACE_SECONDS = 20.0
"""How long in-flight deliveries get to finish on shutdown before being handed back."""
TASK_QUEUE_SETTING = "ESCALATION_TASK_QUEUE"
CACHE_SETTING = "ESCALATION_WORKFLOW_CACHE"
DEFAULT_CACHED_RUNS = 1_000
"""Workflow runs the worker keeps in memory: the SDK's default. An open incident that left the
cache is replayed from its history before it can escalate, but caching every open incident of a
large board cost much memory without bringing the slowest escalations down (README, Worker
settings, for the figures): a bigger cache is for a worker with memory to spare."""
MAX_CACHED_RUNS = 1_000_000
PACING_SETTING = "ESCALATION_GC_PACING"


@dataclass(frozen=True)
class WorkerSettings:
    policy_file: Path
    policy: Policy
    transports: dict[Channel, Transport]
    sandbox: Sandbox
    grace: timedelta
    task_queue: str
    client: dict[str, Any]
    """The Temporal client's connect arguments (address, namespace, TLS, API key)."""
    action_links: ActionLinks | None = None
    """Signs the Acknowledge and Escalate links in page emails; None without a key."""
    slack: SlackSettings | None = None
    archive_url: str = ""
    """`ESCALATION_ARCHIVE_URL` checked (SQLite under `.escalation/` when unset)."""
    cached_runs: int = DEFAULT_CACHED_RUNS
    """`ESCALATION_WORKFLOW_CACHE`: workflow runs kept in memory (DEFAULT_CACHED_RUNS)."""
    gc_pacing: bool = True
    """`ESCALATION_GC_PACING`: full garbage collections paced (worker/collection_pacing.py)."""


def worker_settings(
    policy_file: Path | None = None, task_queue: str | None = None
) -> WorkerSettings:
    """Read and check it all; raises PolicyInvalid, TransportConfigError or SettingInvalid."""
    path = policy_file or policy_path()
    return WorkerSettings(
        policy_file=path,
        policy=load_policy(path),
        sandbox=sandbox_from_environment(),
        grace=timedelta(
            seconds=seconds_setting(GRACE_SETTING, DEFAULT_GRACE_SECONDS, allow_zero=True)
        ),
        task_queue=task_queue or os.environ.get(TASK_QUEUE_SETTING, "").strip() or TASK_QUEUE,
        client=client_config(),
        transports=transports_from_environment(),
        action_links=action_links_from_environment(),
        slack=slack_settings(),
        archive_url=archive_url(),
        cached_runs=count_setting(CACHE_SETTING, DEFAULT_CACHED_RUNS, maximum=MAX_CACHED_RUNS),
        gc_pacing=choice_setting(PACING_SETTING, ("on", "off"), "on") == "on",
    )
