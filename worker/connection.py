"""The Temporal client, configured the SDK's own way (env vars, profiles, TLS, API key)."""

from __future__ import annotations

import re
from typing import Any

from temporalio.client import Client
from temporalio.envconfig import ClientConfig

from workflows.failures import DATA_CONVERTER

DEFAULT_ADDRESS = "localhost:7233"


class TemporalUnreachable(ConnectionError):
    """The Temporal service did not accept a connection at the configured address."""

    def __init__(self, address: str, reason: str) -> None:
        self.address = address
        self.reason = reason
        super().__init__(
            f"cannot reach Temporal at {address}: {reason} "
            "(set TEMPORAL_ADDRESS, or start a local stack with `escalation dev`)"
        )


def client_config(profile: str | None = None) -> dict[str, Any]:
    """TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY / TLS / profile files, read now:
    a broken profile file is a configuration error, found before any connection attempt."""
    config: dict[str, Any] = dict(ClientConfig.load_client_connect_config(profile=profile))
    config.setdefault("target_host", DEFAULT_ADDRESS)
    return config


async def connect(profile: str | None = None, *, config: dict[str, Any] | None = None) -> Client:
    """A client to the configured service; TemporalUnreachable when nothing answers there."""
    config = client_config(profile) if config is None else config
    try:
        return await Client.connect(**config, data_converter=DATA_CONVERTER)
    except RuntimeError as error:
        if "client connect" not in str(error):
            raise
        reason = connect_failure_reason(str(error))
        raise TemporalUnreachable(str(config["target_host"]), reason) from None


def connect_failure_reason(message: str) -> str:
    """`Connection refused` out of the SDK's nested transport error text."""
    found = re.search(r'message: "([^"]+)"', message) or re.search(r"\(([^()]+)\)+$", message)
    reason = found.group(1) if found else message.removeprefix("Failed client connect: ")
    return reason[:1].lower() + reason[1:]
