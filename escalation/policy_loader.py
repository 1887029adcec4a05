"""Reads the policy file and reports every problem with its key path and line."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from escalation.notice_templates import with_brand_templates
from escalation.policy import Policy
from escalation.policy_checks import cross_reference_errors
from escalation.public_holidays import expand, holiday_years

DEFAULT_POLICY_PATH = Path("examples/policy.yaml")
POLICY_PATH_VARIABLE = "ESCALATION_POLICY"
KEY_PROBLEMS = {"missing", "extra_forbidden"}
"""Problems with a key itself, where the value is beside the point."""
VALUE_SHOWN = 60
"""Characters of a bad value quoted in a problem; the line number points at the rest."""


class PolicyInvalid(Exception):
    """A policy file that cannot be used; `problems` lists each as `key.path: what is wrong`."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: invalid policy\n" + "\n".join(f"  {p}" for p in problems))

    def one_line(self) -> str:
        """Every problem on one line, for an `error:` line on stderr."""
        return f"{self.source}: invalid policy: " + "; ".join(self.problems)


def policy_path() -> Path:
    """Where the policy lives: `ESCALATION_POLICY`, else the bundled example."""
    return Path(os.environ.get(POLICY_PATH_VARIABLE) or DEFAULT_POLICY_PATH)


def load_policy(path: Path | None = None) -> Policy:
    """Load and fully validate a policy file, raising PolicyInvalid with every problem found."""
    path = path or policy_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyInvalid(str(path), [f"cannot read the file: {error.strerror}"]) from None
    return parse_policy(text, source=str(path), base=path.parent)


def parse_policy(
    text: str, source: str = "<policy>", today: date | None = None, base: Path | None = None
) -> Policy:
    """Validate policy YAML text; the same checks as load_policy, for tests and the CLI.

    Calendars' public holidays are expanded for the years around `today` (the date now); brand
    templates are read relative to `base` (the policy file's folder; the working directory).
    """
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PolicyInvalid(source, [f"not valid YAML: {error}"]) from None
    except (ValueError, RecursionError) as error:
        # PyYAML lets a few errors through: an integer too long to convert, nesting too deep.
        raise PolicyInvalid(source, [f"not valid YAML: {type(error).__name__}: {error}"]) from None
    if not isinstance(data, dict):
        raise PolicyInvalid(
            source, ["the policy must be a mapping of sections (contacts, tiers...)"]
        )
    try:
        policy = Policy.model_validate(data)
    except ValidationError as error:
        problems = [_describe(issue, document) for issue in error.errors()]
        raise PolicyInvalid(source, problems) from None
    calendars, holiday_problems = expand(policy.calendars, holiday_years(today or date.today()))
    policy, template_problems = with_brand_templates(policy, base or Path())
    problems = [
        _with_line(f"{path}: {problem}", _line_of(path_parts, document))
        for path, problem, path_parts in (
            (path, problem, _split_path(path))
            for path, problem in [
                *cross_reference_errors(policy),
                *holiday_problems,
                *template_problems,
            ]
        )
    ]
    if problems:
        raise PolicyInvalid(source, problems)
    return policy.model_copy(update={"calendars": calendars})


def _describe(issue: ErrorDetails, document: yaml.Node | None) -> str:
    loc = issue["loc"]
    path = format_key_path(loc)
    problem = f"{path or '(top level)'}: {_with_value(issue)}"
    return _with_line(problem, _line_of(list(loc), document))


def _with_value(issue: ErrorDetails) -> str:
    """The problem naming the bad value: `'pigeon' is not one of email, sms, voice`.

    Only a value written as one scalar is shown (a whole mapping would not fit on a line), and
    not twice: the duration and phone checks already name it.
    """
    message = _plain(issue["msg"])
    value = issue.get("input")
    if issue["type"] in KEY_PROBLEMS or not isinstance(value, str | int | float | bool):
        return message
    shown = repr(value) if len(repr(value)) <= VALUE_SHOWN else repr(value)[:VALUE_SHOWN] + "..."
    expected = (issue.get("ctx") or {}).get("expected")
    if issue["type"] in {"literal_error", "enum"} and isinstance(expected, str):
        choices = expected.replace("'", "").replace(" or ", ", ")
        return f"{shown} is not one of {choices}"
    if repr(value) in message:
        return message
    return f"{message.rstrip('. ')}, got {shown}"


def format_key_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """`('tiers', 1, 'contacts', 0)` -> `tiers[1].contacts[0]`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = _readable_key(str(part))
            text += f".{name}" if text else name
    return text


def _readable_key(name: str) -> str:
    """A key as written, quoted when it would not read on one line (empty, blank, control)."""
    if not name or not name.isprintable() or name != name.strip():
        return repr(name)
    return name


def _plain(message: str) -> str:
    """Pydantic prefixes custom errors with `Value error, `; operators do not need it."""
    return message.removeprefix("Value error, ")


def _split_path(path: str) -> list[Any]:
    parts: list[Any] = []
    for dotted in path.split("."):
        name, *indexes = dotted.replace("]", "").split("[")
        parts.append(name)
        # a name such as `pay[ments` (a service in reviews.owners) is not an index
        parts.extend(int(index) if index.isdigit() else index for index in indexes)
    return parts


def _line_of(parts: list[Any], node: yaml.Node | None) -> int | None:
    """The 1-based line of the deepest YAML node along a key path."""
    line = None
    for part in parts:
        if node is None:
            break
        line = node.start_mark.line + 1
        node = _child(node, part)
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


def _with_line(problem: str, line: int | None) -> str:
    return f"{problem} (line {line})" if line else problem
