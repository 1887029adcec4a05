"""Benchmarks: escalation lag, lifecycle throughput against a bare workflow, worker memory,
history size, start rate and update latency, on a dev server this package starts itself.

Run `python -m benchmarks` (or `--quick`); see docs/benchmarks.md.
"""
