"""`escalation oncall` and the schedule gaps of `policy check`, through the real entry point.

Each command runs as its own process, as an operator types it, with a fixed `--at`; no
Temporal server runs (the address points nowhere, so a connection attempt would fail).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from starter.devserver import find_executable

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_POLICY = ROOT / "examples" / "policy.yaml"
AT = "2026-12-09T10:00:00+00:00"  # a Wednesday: bob's primary week, business hours in Berlin


def escalation(*args: str, policy: Path = EXAMPLE_POLICY) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ESCALATION_POLICY": str(policy),
        "TEMPORAL_ADDRESS": "127.0.0.1:1",
        "TEMPORAL_CONFIG_FILE": "/nonexistent.toml",
    }
    return subprocess.run(
        [find_executable("escalation"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_every_schedule_and_tier_of_the_example() -> None:
    finished = escalation("oncall", "--at", AT, "--next", "2")
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines() == [
        "primary (Europe/Berlin)",
        f"  on call at {AT}: Bob Okafor (bob), weekly, since Mon 2026-12-07 09:00 CET, "
        "until Mon 2026-12-14 09:00 CET",
        "  next hand-offs:",
        "    Mon 2026-12-14 09:00 CET  Alice Ng (alice), weekly",
        "    Mon 2026-12-21 09:00 CET  Bob Okafor (bob), weekly",
        "secondary (Europe/Berlin)",
        f"  on call at {AT}: Carol Diaz (carol), business hours, since Wed 2026-12-09 09:00 CET, "
        "until Wed 2026-12-09 17:00 CET",
        "  next hand-offs:",
        "    Wed 2026-12-09 17:00 CET  nobody",
        "    Thu 2026-12-10 09:00 CET  Bob Okafor (bob), business hours",
        "follow-the-sun (UTC)",
        f"  on call at {AT}: Bob Okafor (bob), Berlin, since Wed 2026-12-09 05:00 UTC, "
        "until Wed 2026-12-09 13:00 UTC",
        "  next hand-offs:",
        "    Wed 2026-12-09 13:00 UTC  Carol Diaz (carol), New York",
        "    Wed 2026-12-09 21:00 UTC  Dave Kim (dave), Sydney",
        "Tiers",
        "  tier 1 Tier 1 frontline: schedule primary has bob; pages alice, bob",
        "  tier 2 Tier 2 specialists: schedule secondary has carol; pages bob, carol",
        "  tier 3 Tier 3 cross-functional: schedule follow-the-sun has bob; pages carol, dave, bob",
    ]
    assert finished.stderr.startswith("warning: overrides not read: ")
    assert len(finished.stderr.splitlines()) == 1


def test_json_for_one_schedule() -> None:
    finished = escalation("oncall", "primary", "--at", "2026-12-14T08:00Z", "--next", "1", "--json")
    assert finished.returncode == 0, finished.stderr
    report = json.loads(finished.stdout)
    assert [view["schedule"] for view in report["schedules"]] == ["primary"]
    (primary,) = report["schedules"]
    assert primary["on_call"] == {
        "who": "alice",
        "name": "Alice Ng",
        "source": "weekly",
        "start": "2026-12-14T08:00:00Z",
        "end": "2026-12-21T08:00:00Z",
    }
    assert [turn["who"] for turn in primary["next"]] == ["bob"]
    assert report["tiers"] == [
        {
            "tier": 1,
            "name": "Tier 1 frontline",
            "schedule": "primary",
            "who": "alice",
            "contacts": ["alice"],
            "pages": ["alice"],
        }
    ]


def test_unknown_schedule_and_bad_time_are_one_error_line() -> None:
    unknown = escalation("oncall", "primry", "--at", AT)
    assert unknown.returncode == 1
    assert unknown.stderr == (
        "error: unknown schedule 'primry' (one of: primary, secondary, follow-the-sun)\n"
    )
    bad_time = escalation("oncall", "--at", "next tuesday")
    assert bad_time.returncode == 1
    assert bad_time.stderr.startswith("error: --at: expected an ISO 8601 instant")


def test_a_calendar_fetched_over_http(tmp_path: Path, feed_server: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        EXAMPLE_POLICY.read_text(encoding="utf-8").replace(
            "  primary:                # weekly rotation",
            "  database:\n    time_zone: Europe/Berlin\n    layers:\n"
            f"      - {{calendar: '{feed_server}/database-oncall.ics'}}\n"
            "  primary:                # weekly rotation",
        ),
        encoding="utf-8",
    )
    finished = escalation(
        "oncall", "database", "--at", "2026-12-17T12:30Z", "--next", "1", policy=policy
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines()[1:4] == [
        "  on call at 2026-12-17T12:30:00+00:00: Dave Kim (dave), layer 1, "
        "since Thu 2026-12-17 13:00 CET, until Thu 2026-12-17 21:00 CET",
        "  next hand-offs:",
        "    Thu 2026-12-17 21:00 CET  nobody",
    ]
    assert "event names no contact: Team offsite" in finished.stderr
    gone = escalation("oncall", "database", "--at", AT, policy=policy.with_name("x.yaml"))
    assert gone.returncode == 1 and "cannot read the file" in gone.stderr


def primary_from_calendar(tmp_path: Path, source: str) -> Path:
    """The example policy with schedule `primary`'s rotation replaced by the calendar `source`."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        EXAMPLE_POLICY.read_text(encoding="utf-8").replace(
            "      - {name: weekly, participants: [alice, bob], shift: 1w, hand_off: Mon 09:00}",
            f"      - {{calendar: '{source}'}}",
        ),
        encoding="utf-8",
    )
    return policy


def test_a_feed_that_cannot_be_fetched_is_one_error_line(tmp_path: Path, feed_server: str) -> None:
    policy = primary_from_calendar(tmp_path, f"{feed_server}/gone.ics")
    finished = escalation("oncall", "primary", "--at", AT, policy=policy)
    assert finished.returncode == 1
    assert finished.stderr.startswith(f"error: cannot fetch {feed_server}/gone.ics: 404")


def test_policy_check_lists_the_hours_a_tier_finds_nobody() -> None:
    finished = escalation("policy", "check", str(EXAMPLE_POLICY))
    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    assert lines[2] == "Schedule gaps in the next 14 days (the tier finds nobody then):"
    gaps = lines[3:]
    # business hours Monday to Friday leave every weekend open: 64 hours from Friday 17:00
    assert any(
        line.startswith("  tier 2 Tier 2 specialists (schedule secondary): Fri ")
        and "(64h)" in line
        for line in gaps
    )
    assert all("schedule secondary" in line for line in gaps)


def test_policy_check_without_gaps_says_so(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        EXAMPLE_POLICY.read_text(encoding="utf-8")
        .replace("schedule: secondary, ", "")
        .replace("schedule: follow-the-sun,", ""),
        encoding="utf-8",
    )
    finished = escalation("policy", "check", str(policy))
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines()[2:] == [
        "Schedules: every tier has someone on call for the next 14 days"
    ]


PRIVATE_LINK_WARNING = (
    "warning: schedules.primary.layers[0].calendar looks like a private link, and the "
    "policy is kept in every incident's history: put the link in an environment variable "
    "of the worker and write `calendar: env:NAME`"
)


@pytest.mark.parametrize(
    ("link", "warnings"),
    [("database-oncall.ics?token=s3cr3t", [PRIVATE_LINK_WARNING]), ("database-oncall.ics", [])],
)
def test_policy_check_warns_of_a_private_calendar_link_without_printing_it(
    tmp_path: Path, feed_server: str, link: str, warnings: list[str]
) -> None:
    """The file is valid either way (exit 0), but a link with a token would be kept in every
    history; a public link is not warned of."""
    policy = primary_from_calendar(tmp_path, f"{feed_server}/{link}")
    finished = escalation("policy", "check", str(policy), policy=policy)
    assert finished.returncode == 0, finished.stderr
    assert [line for line in finished.stderr.splitlines() if "private link" in line] == warnings
    assert "s3cr3t" not in finished.stdout + finished.stderr
