"""The process's Prometheus endpoint (`ESCALATION_METRICS_ADDRESS`), served by the Temporal SDK.

One SDK runtime per process carries the SDK's own metrics (workflow and activity task latencies,
poller counts, ...) and ours: what workflows emit through `workflow.metric_meter()`, the open
incidents gauge, and the HTTP service's intake counter (`record_intake`). The runtime becomes the
process default, so every client and worker created afterwards reports to it: install it before
connecting. Unset, there is no endpoint and recording is a no-op.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from temporalio.common import MetricMeter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

ADDRESS_VARIABLE = "ESCALATION_METRICS_ADDRESS"

LAG_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)
"""Seconds from an escalation deadline to its pages: under a second is healthy, a minute is an
incident of its own."""


class MetricsAddressInvalid(ValueError):
    """ESCALATION_METRICS_ADDRESS is not IP:PORT, or that address cannot be served."""


@dataclass(frozen=True)
class MetricsEndpoint:
    """Where this process serves `/metrics`, and the meter our own metrics are created on."""

    address: str
    meter: MetricMeter

    @property
    def url(self) -> str:
        return f"http://{self.address}/metrics"


class _Process:
    """The endpoint this process installed: one runtime per process, like the SDK's default."""

    endpoint: MetricsEndpoint | None = None


def parse_address(value: str) -> str:
    """`IP:PORT` (IPv6 in brackets) as the SDK binds it; anything else is one clear error."""
    host, sep, port = value.strip().rpartition(":")
    try:
        ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
        number = int(port)
    except ValueError:
        number = 0
    if not sep or not 0 < number < 65536:
        raise MetricsAddressInvalid(
            f"{ADDRESS_VARIABLE} must be IP:PORT, e.g. 127.0.0.1:9464; got {value!r}"
        )
    return f"{host}:{number}"


def install_metrics(address: str) -> MetricsEndpoint:
    """Serve metrics on `address` from a new default SDK runtime; raises MetricsAddressInvalid."""
    bind = parse_address(address)
    config = PrometheusConfig(
        bind_address=bind,
        counters_total_suffix=True,
        durations_as_seconds=True,
        histogram_bucket_overrides={"escalation_lag_seconds": LAG_BUCKETS},
    )
    try:
        runtime = Runtime(telemetry=TelemetryConfig(metrics=config))
    except Exception as error:  # the SDK's bind failure carries no narrower type
        raise MetricsAddressInvalid(f"cannot serve metrics on {bind}: {error}") from None
    Runtime.set_default(runtime, error_if_already_set=False)
    _Process.endpoint = MetricsEndpoint(bind, runtime.metric_meter)
    return _Process.endpoint


def install_metrics_from_environment() -> MetricsEndpoint | None:
    """The endpoint ESCALATION_METRICS_ADDRESS asks for, or None when it is unset or empty."""
    value = os.environ.get(ADDRESS_VARIABLE, "").strip()
    return install_metrics(value) if value else None


def installed_meter() -> MetricMeter | None:
    """This process's meter for our own metrics, or None without an endpoint."""
    return _Process.endpoint.meter if _Process.endpoint else None


def record_intake(integration: str, status: int) -> None:
    """One request to the HTTP service's intake: the integration (a fixed route name, never
    caller text) and the HTTP status it got. A no-op without an endpoint."""
    meter = installed_meter()
    if meter is None:
        return
    meter.create_counter(
        "escalation_intake_requests", "Intake requests by integration and HTTP status."
    ).add(1, {"integration": integration, "status": str(status)})
