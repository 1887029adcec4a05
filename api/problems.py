"""Bad input, named field by field: what a 400 says, in the sender's own terms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import ValidationError

MAX_PROBLEMS = 20


class BadRequest(ValueError):
    """The body cannot become an alert; each problem names its field (`alerts[0].labels.x`)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)[:MAX_PROBLEMS] or ["body: invalid"]
        super().__init__("; ".join(self.problems))


def field_path(location: Sequence[str | int], prefix: str = "") -> str:
    """`alerts[0].labels.severity` from pydantic's ('alerts', 0, 'labels', 'severity')."""
    path = prefix
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def validation_problems(
    error: ValidationError, prefix: str = "", renames: Mapping[str, str] | None = None
) -> list[str]:
    """One line per pydantic error; `renames` maps a model field to where the sender put it."""
    problems = []
    for issue in error.errors():
        location = list(issue["loc"])
        if renames and location and str(location[0]) in renames:
            where = renames[str(location[0])]
            path = field_path(location[1:], where)
        else:
            path = field_path(location, prefix)
        value = repr(issue.get("input"))[:60] if issue["type"] != "missing" else ""
        shown = f" (got {value})" if value else ""
        problems.append(f"{path}: {issue['msg']}{shown}")
    return problems
