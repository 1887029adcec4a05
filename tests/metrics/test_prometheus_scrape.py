"""A real Prometheus scrapes a worker running an incident; its HTTP API reports our metrics.

The worker is `python -m worker` on a dev server, with ESCALATION_METRICS_ADDRESS set; the
incident runs on wall-clock seconds (metrics_policy.yaml): Tier 1's window passes, then the
acknowledgment SLA, then bob acknowledges and resolves. Every expectation below is a value
Prometheus stored from scrapes, asked through its query API.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from escalation.alerts import Alert
from escalation.policy_loader import load_policy
from starter.devserver import free_port
from starter.incidents import incident_status, send_verb
from starter.opening import open_incident
from tests.metrics.prometheus import prometheus_scraping
from tests.processes import WorkerProcess, dev_stack

HERE = Path(__file__).resolve().parent
POLICY = HERE / "metrics_policy.yaml"
DOCS = HERE.parent.parent / "docs" / "metrics"

OURS = '{job="escalation-worker"}'


def referenced_metrics(text: str) -> set[str]:
    """Metric names in PromQL text: ours and the SDK's, by their prefixes."""
    return set(re.findall(r"\b(?:escalation|temporal)_[a-z_]+", text))


@pytest.mark.asyncio
async def test_prometheus_scrapes_incident_metrics_from_the_worker(tmp_path: Path) -> None:
    metrics_address = f"127.0.0.1:{free_port()}"
    async with dev_stack(tmp_path, policy=POLICY) as stack:
        worker = await WorkerProcess.start(
            stack, env={"ESCALATION_METRICS_ADDRESS": metrics_address}
        )
        await worker.wait_until_polling()
        async with prometheus_scraping(metrics_address, tmp_path) as prometheus:
            alert = Alert(title="checkout failing", service="payments", source="test")
            opened = await open_incident(stack.client, alert, policy=load_policy(POLICY))
            key = opened.key

            await prometheus.wait_for('sum(escalation_open_incidents{severity="critical"})', 1)
            # Tier 1's window (4 s), then the acknowledgment SLA (12 s): two deadlines that page.
            await prometheus.wait_for('sum(escalation_sla_breaches_total{clock="ack"})', 1)
            await prometheus.wait_for("sum(escalation_lag_seconds_count)", 2)
            await send_verb(stack.client, key, "acknowledge", {"by": "bob"})
            resolve = {"by": "bob", "cause": "bad deploy", "resolution": "rolled back"}
            resolved = await send_verb(stack.client, key, "resolve", resolve)
            assert resolved.status == "closed"

            labels = 'severity="critical",service="payments"'
            await prometheus.wait_for(f"sum(escalation_incidents_opened_total{{{labels}}})", 1)
            await prometheus.wait_for(
                f'sum(escalation_incidents_acknowledged_total{{{labels},tier="2"}})', 1
            )
            await prometheus.wait_for(
                f'sum(escalation_incidents_resolved_total{{{labels},tier="2"}})', 1
            )
            await prometheus.wait_for(
                'sum(escalation_notifications_total{channel="email",purpose="page",'
                'outcome="outbox"})',
                2,
            )
            await prometheus.wait_for(
                'sum(escalation_notifications_total{channel="email",purpose="ack_breach"})', 1
            )
            await prometheus.wait_for('sum(escalation_open_incidents{severity="critical"})', 0)

            for deadline in ("tier_window", "ack_sla"):
                count = f'escalation_lag_seconds_count{{deadline="{deadline}"}}'
                assert await prometheus.value(f"sum({count})") == 1
                # Lag is the wait for a timer and a worker: seconds, not the window itself.
                within = f'escalation_lag_seconds_bucket{{deadline="{deadline}",le="30"}}'
                assert await prometheus.value(f"sum({within})") == 1
            lag = await prometheus.value("sum(escalation_lag_seconds_sum)")
            assert lag is not None and 0 <= lag < 60
            state = await incident_status(stack.client, key)
            assert [e.kind for e in state.timeline].count("paged") == 2

            # The SDK's own runtime metrics share the endpoint.
            await prometheus.wait_for(
                'sum(temporal_workflow_completed_total{workflow_type="IncidentWorkflow"})', 1
            )

            scraped = await prometheus.metric_names()
            scraped |= {re.sub(r"_(bucket|count|sum)$", "", name) for name in scraped}
            documented = referenced_metrics((DOCS / "grafana-dashboard.json").read_text())
            documented |= referenced_metrics((DOCS / "alerts.yml").read_text())
            produced_elsewhere = {
                "escalation_fallbacks_total",  # only when a channel fails for good
                "escalation_intake_requests_total",  # the HTTP service's endpoint
            }
            missing = documented - scraped - produced_elsewhere
            assert not missing, f"the dashboard or the rule names metrics never scraped: {missing}"
            assert produced_elsewhere <= documented
            json.loads((DOCS / "grafana-dashboard.json").read_text())
