"""Loading the escalation matrix: every problem comes back with its key path and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from escalation.policy import Policy
from escalation.policy_loader import (
    PolicyInvalid,
    format_key_path,
    load_policy,
    parse_policy,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "policy.yaml"

BASE = """\
contacts:
  alice: {name: Alice, email: alice@example.com, phone: "+15555550101"}
  bob:
    email: bob@example.com
    phone: "+1 555 555 0102"
  erin: {email: erin@example.com}
severities:
  critical: {ack_within: 15m, resolve_within: 4h, channels: [sms, email], review: required}
  medium: {ack_within: 2h, resolve_within: 1d, channels: [email], review: optional}
tiers:
  - {name: One, contacts: [alice], escalate_after: 10m}
  - name: Two
    contacts: [bob]
    escalate_after: 15m
management: {contacts: [erin]}
stakeholders: {informed: [erin]}
classification:
  - {when: {category: data_breach}, severity: critical}
  - {default: medium}
"""


def problems(text: str) -> list[str]:
    """The problems parse_policy reports for this text (it must be invalid)."""
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(text, source="test.yaml")
    assert caught.value.source == "test.yaml"
    return caught.value.problems


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line containing `needle`."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def mistake_tests(
    base: str,
    named_at_line: dict[str, tuple[str, str, str, str]],
    named: dict[str, tuple[str, str, str]],
) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two tests of the mistakes in a policy text, each over its table of edits to `base`.

    `named_at_line`: (old, new, problem, marker), `old` edited to `new` is the one problem,
    reported exactly, at the line with `marker`. `named`: (old, new, start), the one problem's
    report begins with `start` (the rest is pydantic's wording).
    """

    @pytest.mark.parametrize(
        ("old", "new", "problem", "marker"), named_at_line.values(), ids=named_at_line
    )
    def named_with_its_path_and_line(old: str, new: str, problem: str, marker: str) -> None:
        text = replace_once(base, old, new)
        assert problems(text) == [f"{problem} (line {line_of(text, marker)})"]

    @pytest.mark.parametrize(("old", "new", "start"), named.values(), ids=named)
    def named_with_its_path(old: str, new: str, start: str) -> None:
        (problem,) = problems(replace_once(base, old, new))
        assert problem.startswith(start)

    return named_with_its_path_and_line, named_with_its_path


NAMED_AT_LINE = {
    "unknown tier contact": (
        "contacts: [bob]",
        "contacts: [bobb]",
        "tiers[1].contacts[0]: unknown contact 'bobb'",
        "bobb",
    ),
    "unknown management contact": (
        "management: {contacts: [erin]}",
        "management: {contacts: [zed]}",
        "management.contacts[0]: unknown contact 'zed'",
        "zed",
    ),
    "unknown stakeholder": (
        "informed: [erin]",
        "informed: [erin, zoe]",
        "stakeholders.informed[1]: unknown contact 'zoe'",
        "zoe",
    ),
    "unknown severity in classification": (
        "severity: critical}",
        "severity: sev1}",
        "classification[0].severity: unknown severity 'sev1' (one of: critical, medium)",
        "sev1",
    ),
    "unknown severity in the default rule": (
        "{default: medium}",
        "{default: meh}",
        "classification[1].default: unknown severity 'meh' (one of: critical, medium)",
        "meh",
    ),
    "missing default rule": (
        "  - {default: medium}\n",
        "",
        "classification[0]: the last rule must be `{default: <severity>}`",
        "data_breach",
    ),
    "unknown key": (
        "    email: bob@example.com\n",
        "    email: bob@example.com\n    pager: 7\n",
        "contacts.bob.pager: Extra inputs are not permitted",
        "pager",
    ),
    "bad duration names the severity field": (
        "ack_within: 2h",
        "ack_within: soon",
        "severities.medium.ack_within: expected a duration such as 30s, 15m, 4h, 1d or PT15M,"
        " got 'soon'",
        "soon",
    ),
    "zero duration names the tier field": (
        "escalate_after: 15m",
        "escalate_after: 0m",
        "tiers[1].escalate_after: must be a positive duration such as 15m, got '0m'",
        "escalate_after: 0m",
    ),
    "a bad choice names the value and the choices": (
        "channels: [sms, email]",
        "channels: [sms, pigeon]",
        "severities.critical.channels[1]: 'pigeon' is not one of email, sms, voice",
        "pigeon",
    ),
}

NAMED = {
    "rule with both forms": (
        "{default: medium}",
        "{default: medium, severity: critical}",
        "classification[1]: a default rule has only `default`",
    ),
    "rule without conditions": (
        "{when: {category: data_breach}",
        "{when: {}",
        "classification[0].when: a rule needs at least one condition",
    ),
    "impossible phone number": (
        '"+1 555 555 0102"',
        '"+1 555"',
        "contacts.bob.phone: '+1 555' is not a possible phone number",
    ),
    "phone written as a number": ('"+1 555 555 0102"', "12", "contacts.bob.phone: "),
    "bad email names the contact field": (
        "erin: {email: erin@example.com}",
        "erin: {email: erin}",
        "contacts.erin.email: ",
    ),
    "unreachable contact": (
        "erin: {email: erin@example.com}",
        "erin: {name: Erin}",
        "contacts.erin: a contact needs at least an email or a phone",
    ),
    "warning fraction out of range": (
        "review: optional}",
        "review: optional, resolve_warnings: [0.5, 1.5]}",
        "severities.medium.resolve_warnings: each warning is a fraction",
    ),
    "unknown channel": (
        "channels: [email], review: optional",
        "channels: [fax], review: optional",
        "severities.medium.channels[0]: ",
    ),
}


test_a_mistake_is_named_with_its_path_and_line, test_a_mistake_is_named_with_its_path = (
    mistake_tests(BASE, NAMED_AT_LINE, NAMED)
)


def test_base_policy_is_valid() -> None:
    assert isinstance(parse_policy(BASE), Policy)


def test_example_policy_loads(example_policy: Policy) -> None:
    assert list(example_policy.severities) == ["critical", "high", "medium", "low"]
    assert [tier.name for tier in example_policy.tiers] == [
        "Tier 1 frontline",
        "Tier 2 specialists",
        "Tier 3 cross-functional",
    ]
    assert example_policy.repeat == 1
    assert example_policy.management.contacts == ["erin"]


def test_load_policy_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert load_policy(path) == parse_policy(BASE)


def test_load_policy_uses_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(BASE, encoding="utf-8")
    monkeypatch.setenv("ESCALATION_POLICY", str(path))
    assert load_policy() == parse_policy(BASE)


def test_missing_file_is_reported_with_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(missing)
    assert caught.value.source == str(missing)
    assert caught.value.problems == ["cannot read the file: No such file or directory"]
    assert str(missing) in str(caught.value)


def test_phones_are_normalised_to_e164() -> None:
    policy = parse_policy(BASE)
    assert policy.contacts["bob"].phone == "+15555550102"
    assert policy.contacts["alice"].phone == "+15555550101"


def test_contact_without_a_name_takes_its_key() -> None:
    assert parse_policy(BASE).contact("erin").name == "erin"


def test_policy_round_trips_through_json(example_policy: Policy) -> None:
    assert Policy.model_validate_json(example_policy.model_dump_json()) == example_policy


def test_unknown_tier_contact_in_the_example_policy_names_line_22() -> None:
    text = replace_once(EXAMPLE.read_text(encoding="utf-8"), "contacts: [bob]", "contacts: [bobb]")
    assert problems(text) == ["tiers[1].contacts[0]: unknown contact 'bobb' (line 22)"]


def test_default_rule_must_be_last() -> None:
    text = BASE + "  - {when: {service: db}, severity: critical}\n"
    reported = problems(text)
    assert reported == [
        "classification[1]: the default rule must be the last one"
        f" (line {line_of(text, 'default: medium')})",
        "classification[2]: the last rule must be `{default: <severity>}`"
        f" (line {line_of(text, 'service: db')})",
    ]


def test_bad_phone_names_the_contact_field() -> None:
    text = replace_once(BASE, '"+1 555 555 0102"', '"12"')
    (problem,) = problems(text)
    assert problem.startswith("contacts.bob.phone: ")
    assert "international form" in problem
    assert problem.endswith(f"(line {line_of(text, '12')})")


def test_unknown_top_level_section_is_named() -> None:
    text = BASE + "escalations: []\n"
    (problem,) = problems(text)
    assert problem.startswith("escalations: Extra inputs are not permitted")


def test_a_bad_value_is_named_beside_the_rule_it_breaks() -> None:
    text = replace_once(BASE, "erin: {email: erin@example.com}", "erin: {email: erin}")
    (problem,) = problems(text)
    assert problem.startswith("contacts.erin.email: String should match pattern")
    assert problem.endswith(f", got 'erin' (line {line_of(text, 'email: erin}')})")


def test_missing_section_is_reported() -> None:
    text = replace_once(BASE, "management: {contacts: [erin]}\n", "")
    assert any(p.startswith("management: Field required") for p in problems(text))


def test_document_that_is_not_a_mapping() -> None:
    assert problems("- just\n- a list\n") == [
        "the policy must be a mapping of sections (contacts, tiers...)"
    ]


def test_empty_document_is_not_a_mapping() -> None:
    assert problems("") == ["the policy must be a mapping of sections (contacts, tiers...)"]


def test_invalid_yaml() -> None:
    (problem,) = problems("contacts: [alice\n")
    assert problem.startswith("not valid YAML: ")


SEVERAL = {
    "field problems": {
        ('"+1 555 555 0102"', '"12"'): "contacts.bob.phone",
        ("ack_within: 2h", "ack_within: soon"): "severities.medium.ack_within",
        ("escalate_after: 15m", "escalate_after: 0m"): "tiers[1].escalate_after",
    },
    "cross-reference problems": {
        ("contacts: [bob]", "contacts: [bobb]"): "tiers[1].contacts[0]",
        ("informed: [erin]", "informed: [zoe]"): "stakeholders.informed[0]",
        ("{default: medium}", "{default: meh}"): "classification[1].default",
    },
}
"""Edits made together, each with the key path its problem is reported under, in order."""


@pytest.mark.parametrize("edits", SEVERAL.values(), ids=SEVERAL)
def test_several_problems_are_all_reported(edits: dict[tuple[str, str], str]) -> None:
    text = BASE
    for old, new in edits:
        text = replace_once(text, old, new)
    assert [p.split(":")[0] for p in problems(text)] == list(edits.values())


def test_error_message_lists_every_problem() -> None:
    text = replace_once(BASE, "contacts: [bob]", "contacts: [bobb]")
    text = replace_once(text, "informed: [erin]", "informed: [zoe]")
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(text, source="p.yaml")
    message = str(caught.value)
    assert message.startswith("p.yaml: invalid policy\n")
    assert "  tiers[1].contacts[0]: unknown contact 'bobb'" in message
    assert "  stakeholders.informed[0]: unknown contact 'zoe'" in message


@pytest.mark.parametrize(
    ("loc", "text"),
    [
        (("tiers", 1, "contacts", 0), "tiers[1].contacts[0]"),
        (("severities", "medium", "ack_within"), "severities.medium.ack_within"),
        ((), ""),
    ],
)
def test_format_key_path(loc: tuple[object, ...], text: str) -> None:
    assert format_key_path(loc) == text
