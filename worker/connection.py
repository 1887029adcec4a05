"""The Temporal client, configured the SDK's own way (env vars, profiles, TLS, API key)."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.envconfig import ClientConfig

from workflows.failures import DATA_CONVERTER

DEFAULT_ADDRESS = "localhost:7233"


async def connect(profile: str | None = None) -> Client:
    """Connect using TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY / TLS / profile files."""
    config = ClientConfig.load_client_connect_config(profile=profile)
    config.setdefault("target_host", DEFAULT_ADDRESS)
    return await Client.connect(**config, data_converter=DATA_CONVERTER)
