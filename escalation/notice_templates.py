"""A brand's template overrides: read when the policy loads, proven to render, then compiled.

Read here (beside the loader, outside workflow code) so a template that does not render is a
policy error naming the client and file, and the policy snapshot holds the template text an
incident's notices are rendered with. Overrides run sandboxed and autoescaped: the HTML they
produce carries whatever the responders typed, escaped.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from escalation.brands import TEMPLATE_PURPOSES, ClientTemplate
from escalation.client_notice import SAMPLE_FACTS, client_notice
from escalation.policy import Client, Policy

_ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def compile_override(source: str) -> Template:
    """A brand's HTML template, ready to render with `notice`."""
    return _ENVIRONMENT.from_string(source)


def with_brand_templates(policy: Policy, base: Path) -> tuple[Policy, list[tuple[str, str]]]:
    """The policy with every brand's template text read, and (key path, problem) for bad ones."""
    problems: list[tuple[str, str]] = []
    clients = dict(policy.clients)
    for key, client in policy.clients.items():
        if client.brand is None or not client.brand.templates:
            continue
        sources: dict[ClientTemplate, str] = {}
        for name, file in client.brand.templates.items():
            path = f"clients.{key}.brand.templates.{name}"
            try:
                source = (base / file).read_text(encoding="utf-8")
            except OSError as error:
                problems.append((path, f"cannot read {file}: {error.strerror}"))
                continue
            problem = _render_problem(source, name, key, client)
            if problem:
                problems.append((path, f"{file} does not render for client {key!r}: {problem}"))
                continue
            sources[name] = source
        brand = client.brand.model_copy(update={"template_sources": sources})
        clients[key] = client.model_copy(update={"brand": brand})
    return policy.model_copy(update={"clients": clients}), problems


def _render_problem(source: str, name: ClientTemplate, key: str, client: Client) -> str | None:
    purpose = next((p for p, n in TEMPLATE_PURPOSES.items() if n == name), "client_update")
    notice = client_notice(purpose, SAMPLE_FACTS, client.name, client.brand)
    try:
        compile_override(source).render(notice=notice)
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        return f"{error.message or error}" + (f" (template line {line})" if line else "")
    return None
