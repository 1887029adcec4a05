"""Every dev server we start (`escalation dev`, the tests, the benchmarks) gets SERVER_SETTINGS.

What the settings buy is measured by the benchmarks (README, Benchmarks: Server settings); here,
only that no way of starting the server leaves them out.
"""

from __future__ import annotations

from starter.devserver import SERVER_SETTINGS, DevServerSettings


def test_the_dev_server_command_carries_every_server_setting() -> None:
    command = DevServerSettings(ui_port=None).command("temporal")
    for key, value in SERVER_SETTINGS:
        position = command.index(f"{key}={value}")
        assert command[position - 1] == "--dynamic-config-value"
