"""Where the HTTP service listens and how it names itself, from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from activities.action_links import action_links_from_environment
from api.sendgrid_events import webhook_verifier
from escalation.environment import SettingInvalid, url_setting

DEFAULT_HTTP_ADDRESS = "127.0.0.1:8080"
MAX_BODY_BYTES = 1_048_576
"""Larger bodies are refused with 413: a big Alertmanager group is a few hundred kilobytes."""


@dataclass(frozen=True)
class HttpSettings:
    """The listening address and the public URL used in the links the service hands out."""

    host: str
    port: int
    public_url: str

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def parse_address(value: str, variable: str = "ESCALATION_HTTP_ADDRESS") -> tuple[str, int]:
    """`host:port` (port 0 picks a free one), with one clear line when it is not."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise SettingInvalid(f"{variable}={value!r}: expected host:port, such as 127.0.0.1:8080")
    return host.strip("[]"), int(port)


def http_settings(environ: Mapping[str, str] | None = None) -> HttpSettings:
    """Read ESCALATION_HTTP_ADDRESS and ESCALATION_PUBLIC_URL (default: http://<address>), and
    check the keys of the routes that act from the page."""
    env = os.environ if environ is None else environ
    host, port = parse_address(env.get("ESCALATION_HTTP_ADDRESS") or DEFAULT_HTTP_ADDRESS)
    public_url = (url_setting("ESCALATION_PUBLIC_URL", environ=env) or "").rstrip("/")
    action_links_from_environment(env)  # checked here, so a bad key stops `serve` in one line
    webhook_verifier(env)
    return HttpSettings(host=host, port=port, public_url=public_url or f"http://{host}:{port}")
