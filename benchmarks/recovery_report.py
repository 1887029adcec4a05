"""The recovery scenario's lines in results.md: its summary row and its details."""

from __future__ import annotations

from benchmarks.recovery import RecoveryResult
from benchmarks.results import RECOVERY_GOAL_MS

Row = tuple[str, str, str]
"""A summary row of results.md: measure, figure, goal."""


def recovery_row(result: RecoveryResult) -> Row:
    """The summary row: how soon after the replacement's spawn the overdue escalations ran."""
    measure = (
        f"escalation after a replacement worker is spawned p50 / p99 / max, "
        f"{result.incidents:,} overdue"
    )
    goal = f"max <= {RECOVERY_GOAL_MS:,.0f} ms"
    if result.recovery is None or result.escalated < result.incidents:
        return measure, f"{result.escalated:,} escalated (**missing**)", f"{goal}: **not met**"
    d = result.recovery
    met = "met" if d.max <= RECOVERY_GOAL_MS else "**not met**"
    return measure, f"{_ms(d.p50)} / {_ms(d.p99)} / **{_ms(d.max)}**", f"{goal}: {met}"


def recovery_details(result: RecoveryResult) -> list[str]:
    """What happened, and the replacement's start-up split."""
    startup = result.startup
    killed = "before" if result.killed_before_first_deadline else "**after**"
    return [
        "## Recovery",
        "",
        f"{result.incidents:,} incidents opened and paged (tier 1, window "
        f"{result.tier_1_window_s:,.0f} s); the only worker killed (SIGKILL) {killed} the first "
        f"window expired; a replacement spawned {result.dead_after_last_deadline_s:g} s after "
        f"the last one, on the same task queue; sticky queue timeout "
        f"{result.sticky_queue_timeout_s:g} s. Escalated: {result.escalated:,}; scenario time "
        f"{result.seconds:,.0f} s.",
        "",
        "| replacement start-up, seconds after spawn | imports done | connected | "
        "policy loaded, worker built | polling (ready) |",
        "| --- | --- | --- | --- | --- |",
        f"| | {startup.imports_s:.2f} | {startup.connected_s:.2f} | {startup.policy_s:.2f} | "
        f"{startup.polling_s:.2f} |",
    ]


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"
