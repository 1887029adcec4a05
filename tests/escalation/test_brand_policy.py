"""Client brands in the policy: templates read beside the policy file and proven to render."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalation.policy_loader import PolicyInvalid, load_policy
from tests.escalation.test_policy_loader import BASE, line_of

BRANDED = (
    BASE
    + """\
clients:
  acme:
    name: ACME Corp
    contacts: [{email: ops@acme.example}]
    brand:
      provider_name: Northwind IT
      sender_email: support@northwind.example
      reply_to: help@northwind.example
      signature: "Northwind IT service desk"
      templates: {update: brands/update.html.j2}
"""
)
GOOD = "<p>{{ notice.client }}: {{ notice.headline }} ({{ notice.reference }})</p>"


def load(tmp_path: Path, template: str | None, text: str = BRANDED) -> object:
    (tmp_path / "brands").mkdir()
    if template is not None:
        (tmp_path / "brands" / "update.html.j2").write_text(template)
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return load_policy(path)


def problems_of(tmp_path: Path, template: str | None) -> list[str]:
    with pytest.raises(PolicyInvalid) as caught:
        load(tmp_path, template)
    return caught.value.problems


def test_templates_are_read_relative_to_the_policy_file(tmp_path: Path) -> None:
    policy = load(tmp_path, GOOD)
    brand = policy.clients["acme"].brand  # type: ignore[attr-defined]
    assert brand.template_sources == {"update": GOOD}
    assert brand.reply_to == "help@northwind.example"


def test_a_template_naming_an_unknown_fact_is_a_policy_error(tmp_path: Path) -> None:
    line = line_of(BRANDED, "templates:")
    assert problems_of(tmp_path, "<p>{{ notice.ticket_number }}</p>") == [
        "clients.acme.brand.templates.update: brands/update.html.j2 does not render for client "
        "'acme': 'escalation.client_notice.ClientNotice object' has no attribute "
        f"'ticket_number' (line {line})"
    ]


def test_a_template_with_bad_syntax_names_its_line(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "<p>\n{% if notice.client %}unclosed</p>")
    assert problem.startswith(
        "clients.acme.brand.templates.update: brands/update.html.j2 does not render for client "
        "'acme': "
    )
    assert "(template line 2)" in problem


def test_a_missing_template_file_is_named(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, None)
    assert problem.startswith(
        "clients.acme.brand.templates.update: cannot read brands/update.html.j2: "
    )


def test_an_unknown_template_name_is_refused(tmp_path: Path) -> None:
    text = BRANDED.replace("{update: brands", "{invoice: brands")
    with pytest.raises(PolicyInvalid) as caught:
        load(tmp_path, GOOD, text)
    [problem] = caught.value.problems
    assert problem.startswith("clients.acme.brand.templates.invoice")


def test_the_example_brand_template_renders(tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    text = (examples / "policy.yaml").read_text()
    commented = "      # templates: {update: brands/globex-update.html.j2}"
    assert commented in text
    template = examples / "brands" / "globex-update.html.j2"
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(commented, f"      templates: {{update: {template}}}"))
    brand = load_policy(path).clients["globex"].brand
    assert brand is not None
    assert brand.template_sources["update"] == template.read_text()
