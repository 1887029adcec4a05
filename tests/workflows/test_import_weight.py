"""Workflow code carries no rendering or provider library: a workflow worker replays without them.

The models the workflows exchange live in escalation/; templates and provider SDKs belong to
activities/. A fresh interpreter shows what importing every workflows module really pulls in.
"""

import subprocess
import sys

RENDERING_AND_PROVIDER_LIBRARIES = (
    "jinja2",
    "markupsafe",
    "requests",
    "httpx",
    "aiohttp",
    "urllib3",
    "sendgrid",
    "python_http_client",
    "twilio",
)

IMPORT_EVERY_WORKFLOWS_MODULE = """
import importlib, pkgutil, sys
import workflows
for module in pkgutil.walk_packages(workflows.__path__, "workflows."):
    importlib.import_module(module.name)
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_importing_workflows_pulls_in_no_template_engine_http_client_or_provider_sdk() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_WORKFLOWS_MODULE],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()

    assert [name for name in RENDERING_AND_PROVIDER_LIBRARIES if name in loaded] == []
