"""Policy sections whose fields are each optional but which mean nothing with none of them set."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

Section = TypeVar("Section", bound=BaseModel)


def at_least_one_set(section: Section, problem: str) -> Section:
    """`section` unchanged, or `problem` raised (as pydantic reports it) when nothing was set."""
    if not section.model_dump(exclude_none=True):
        raise ValueError(problem)
    return section
