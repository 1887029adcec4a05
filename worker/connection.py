"""The client connection moved to `wiring.temporal`; services that import `connect` from here
(as the README once showed) keep working."""

from wiring.temporal import TemporalUnreachable, client_config, connect

__all__ = ["TemporalUnreachable", "client_config", "connect"]
