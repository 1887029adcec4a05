"""results.md: the summary against the goals, then the details behind each figure."""

from __future__ import annotations

from benchmarks.figures import Distribution, slope
from benchmarks.history import HistoryResult
from benchmarks.lag import LagResult
from benchmarks.recovery_report import Row, recovery_details, recovery_row
from benchmarks.results import (
    ACK_P99_GOAL_MS,
    HISTORY_EVENTS_GOAL,
    LAG_P99_GOAL_MS,
    RATIO_GOAL,
    RSS_GOAL_MB,
    Results,
)
from benchmarks.throughput import ThroughputResult


def render_report(results: Results) -> str:
    """The whole Markdown report."""
    lines = [
        f"# Benchmark results ({results.mode})",
        "",
        *_setting(results),
        "",
        "| measure | figure | goal |",
        "| --- | --- | --- |",
        *_summary(results),
        "",
    ]
    if results.lag:
        lines += [*_lag_details(results.lag), "", "![escalation lag](lag.png)", ""]
    if results.throughput:
        lines += [*_throughput_details(results.throughput), ""]
    if results.history:
        lines += [*_history_details(results.history), ""]
    if results.recovery:
        lines += [*recovery_details(results.recovery), ""]
    return "\n".join(lines)


def _setting(results: Results) -> list[str]:
    machine = results.machine
    load = f"{machine.load_before[0]:g}"
    if machine.load_after:
        load += f" before, {machine.load_after[0]:g} after"
    return [
        f"- Command: `{results.command}`; started {results.started_at:%Y-%m-%d %H:%M} UTC, "
        f"wall time {results.wall_seconds / 60:.1f} min",
        f"- Machine: {machine.cpus} CPUs, {machine.memory_gb:g} GiB; load average (1 min) "
        f"{load} (other work on the machine shares the CPUs)",
        f"- Software: {results.software}; dev server on SQLite (WAL, synchronous=normal)",
        f"- Worker: {_processes(results)}, {results.worker}",
    ]


def _summary(results: Results) -> list[str]:
    """The headline rows, each naming the bare-workflow rate of this run beside its figure (the
    machine's yardstick) when the throughput scenario ran."""
    yardstick = ""
    if results.throughput:
        yardstick = f" (bare {results.throughput.bare.per_second:g}/s)"
    return [
        f"| {measure} | {figure}{'' if 'bare' in measure else yardstick} | {goal} |"
        for measure, figure, goal in _headlines(results)
    ]


def _headlines(results: Results) -> list[Row]:
    rows: list[Row] = []
    for run in results.lag:
        rows.append(
            (
                f"escalation lag p50 / p95 / p99 / max, {run.incidents:,} open incidents, "
                f"{_workers(run)}",
                _spread(run.lag),
                f"p99 <= {LAG_P99_GOAL_MS:,.0f} ms: {_met(run.lag.p99 <= LAG_P99_GOAL_MS)}",
            )
        )
    if results.throughput:
        t = results.throughput
        rows.append(
            (
                "lifecycles per second, incident vs bare workflow",
                f"{t.incident.per_second:g} vs {t.bare.per_second:g} = **{t.ratio:g}**",
                f">= {RATIO_GOAL:g}: {_met(t.ratio >= RATIO_GOAL)}",
            )
        )
    if results.lag:
        largest = max(results.lag, key=lambda run: run.incidents)
        peak = max(rss for _, rss in largest.rss_mb)
        first = largest.rss_mb[0]
        rows.append(
            (
                f"worker RSS as open incidents grow ({_workers(largest)}"
                f"{', summed' if largest.workers > 1 else ''})",
                f"{first[1]:,.0f} MiB at {first[0]:,} -> {peak:,.0f} MiB peak at "
                f"{largest.incidents:,}",
                f"< {RSS_GOAL_MB:,.0f} MiB: {_met(peak < RSS_GOAL_MB)}",
            )
        )
    if results.recovery:
        rows.append(recovery_row(results.recovery))
    if results.history:
        parts = [
            f"{h.workflow.split('-')[0]} {h.events} events, {h.bytes / 1024:,.1f} KiB"
            for h in results.history.histories
        ]
        incident = results.history.histories[0]
        goal = f"incident <= {HISTORY_EVENTS_GOAL} events: "
        met = _met(incident.events <= HISTORY_EVENTS_GOAL)
        rows.append(("history of a typical critical incident", "; ".join(parts), goal + met))
    if results.throughput:
        starts = results.throughput.starts
        rows.append(
            (
                "start rate at the limit (open_incident until tier 1 is paged)",
                f"{starts.per_second:g}/s, call p50 / p99 {_ms(starts.latency.p50)} / "
                f"{_ms(starts.latency.p99)}",
                "-",
            )
        )
    for run in results.lag:
        if run.acks:
            rows.append(
                (
                    f"`acknowledge` update p50 / p99, while {run.incidents:,} escalate, "
                    f"{_workers(run)}",
                    f"{_ms(run.acks.p50)} / {_ms(run.acks.p99)}"
                    + (f" ({run.acks_unanswered} unanswered)" if run.acks_unanswered else ""),
                    f"p99 <= {ACK_P99_GOAL_MS:,.0f} ms: "
                    + _met(run.acks.p99 <= ACK_P99_GOAL_MS and not run.acks_unanswered),
                )
            )
    if results.throughput:
        acks = results.throughput.incident.latency
        rows.append(
            (
                "`acknowledge` update p50 / p99, at the throughput limit",
                f"{_ms(acks.p50)} / {_ms(acks.p99)}",
                "-",
            )
        )
    return rows


def _lag_details(runs: list[LagResult]) -> list[str]:
    lines = [
        "## Escalation lag",
        "",
        "Lag = when the tier-2 page activity ran on the worker - the incident's deadline "
        "(opened_at + tier-1 window). Incidents opened at a steady rate, so deadlines were "
        "spread as widely; the window outlasts the opening by a settling time, so that every "
        'incident is open (tier 1 paged) before the first window expires: "all open first" says '
        "whether it was.",
        "",
        "| open incidents | workers | opened at (planned) | open_incident p50 / p99 | tier-1 window | "
        "all open first | escalated | lag p50 / p95 / p99 / max | pages early | "
        "CPU opening (server / worker / runner) | CPU escalating | scenario time |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        lines.append(
            f"| {run.incidents:,} | {run.workers} | {run.opens_per_second:g}/s ({run.open_rate_planned:g}/s) | "
            f"{_ms(run.start_latency.p50)} / {_ms(run.start_latency.p99)} | "
            f"{run.tier_1_window_s:,.0f} s | {_opening(run)} | "
            f"{run.escalated:,}{'' if run.escalated == run.incidents else ' (**missing**)'} | "
            f"{_spread(run.lag)} | {run.early_pages} | {_cpu(run.cpu_opening)} | "
            f"{_cpu(run.cpu_escalating)} | {run.seconds:,.0f} s |"
        )
    sampled = next(iter(runs[0].sampled_stages.values())).count
    lines += [
        "",
        "Where the lag goes, p50 / p99 of each stage (the sampled rows split the first one, "
        f"from {sampled} histories per run):",
        "",
        "| stage | "
        + " | ".join(f"{run.incidents:,} open, {_workers(run)}" for run in runs)
        + " |",
        "| --- |" + " --- |" * len(runs),
    ]
    stages = [(name, "every escalation") for name in runs[0].stages] + [
        (name, "sampled") for name in runs[0].sampled_stages
    ]
    for name, source in stages:
        cells = []
        for run in runs:
            d = run.stages.get(name) or run.sampled_stages[name]
            cells.append(f"{_ms(d.p50)} / {_ms(d.p99)}")
        lines.append(f"| {name} ({source}) | {' | '.join(cells)} |")
    lines += ["", "Worker RSS while opening (open incidents: MiB, summed over the workers):", ""]
    for run in runs:
        samples = ", ".join(
            f"{count:,}: {rss:,.0f}{_each(each)}"
            for (count, rss), each in zip(
                run.rss_mb, run.rss_mb_each or [[]] * len(run.rss_mb), strict=True
            )
        )
        lines.append(f"- {run.incidents:,}, {_workers(run)}: {samples}")
    lines += [
        "",
        "Worker RSS per open incident (least-squares slope of the samples above; it holds while "
        "open incidents fit the workflow cache, `max_cached_workflows`, and falls beyond it):",
        "",
    ]
    for run in runs:
        per_incident = slope(run.rss_mb)
        figure = "-" if per_incident is None else f"{per_incident:.3f} MiB"
        lines.append(f"- {run.incidents:,}, {_workers(run)}: {figure}")
    return lines


def _throughput_details(result: ThroughputResult) -> list[str]:
    lines = [
        "## Throughput",
        "",
        f"Closed loop, {result.concurrency} lifecycles in flight, kinds alternating round by "
        "round on one worker. Incident: open_incident, policy snapshot + tier-1 page, "
        "`acknowledge` and `resolve` updates, complete. Bare: the same two activities and two "
        "updates, no logic.",
        "",
        "| kind | completed | seconds | per second | timed call p50 / p99 | "
        "CPU share (server / worker / runner) | CPU ms each (server / worker / runner) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    kinds = (
        ("incident lifecycle", "`acknowledge`", result.incident),
        ("bare workflow", "`acknowledge`", result.bare),
        ("incident opened, left open", "open_incident", result.starts),
    )
    for kind, call, figures in kinds:
        cpu_ms = " / ".join(f"{figures.cpu_ms[name]:g}" for name in ("server", "worker", "runner"))
        lines.append(
            f"| {kind} | {figures.completed:,} | {figures.seconds:,.1f} | "
            f"{figures.per_second:g} | {call} {_ms(figures.latency.p50)} / "
            f"{_ms(figures.latency.p99)} | {_cpu(figures.cpu)} | {cpu_ms} |"
        )
    return lines


def _history_details(result: HistoryResult) -> list[str]:
    lines = [
        "## History size",
        "",
        f"Journey: {result.journey}.",
        "",
        "| workflow | events | bytes | heaviest event types |",
        "| --- | --- | --- | --- |",
    ]
    for history in result.histories:
        heaviest = ", ".join(f"{name} {size / 1024:,.1f} KiB" for name, size in history.largest)
        lines.append(f"| {history.workflow} | {history.events} | {history.bytes:,} | {heaviest} |")
    return lines


def _processes(results: Results) -> str:
    """How many worker processes ran: lag runs may have several."""
    counts = sorted({run.workers for run in results.lag} - {1})
    if not counts:
        return "one process"
    return f"one process ({', '.join(map(str, counts))} on the lag runs)"


def _workers(run: LagResult) -> str:
    return "1 worker" if run.workers == 1 else f"{run.workers} workers"


def _each(rss_each: list[float]) -> str:
    """Each worker's share of a summed RSS sample, when there were several."""
    if len(rss_each) < 2:
        return ""
    return " (" + " + ".join(f"{rss:,.0f}" for rss in rss_each) + ")"


def _spread(d: Distribution) -> str:
    return f"{_ms(d.p50)} / {_ms(d.p95)} / **{_ms(d.p99)}** / {_ms(d.max)}"


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if abs(value) >= 10 else f"{value:.1f} ms"


def _cpu(shares: dict[str, float]) -> str:
    return " / ".join(f"{shares[name]:.2f}" for name in ("server", "worker", "runner"))


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _opening(run: LagResult) -> str:
    """Whether every incident was paged before the first deadline, and by how much."""
    if run.all_open_first:
        return f"yes ({run.opening_margin_s:,.0f} s to spare)"
    return f"**no** (overran by {-run.opening_margin_s:,.0f} s)"
