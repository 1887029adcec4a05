"""Settings read from environment variables, checked where they are read.

A typo in a variable must stop the process with one line that names the variable, the value and
what was expected, before anything connects or pages, never later as a traceback.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

MAX_SECONDS = 24 * 60 * 60.0
"""Above a day a wait is a typo (an extra zero or two), not a choice."""


class SettingInvalid(ValueError):
    """An environment variable holds a value that cannot be used."""


def seconds_setting(
    name: str,
    default: float,
    *,
    allow_zero: bool = False,
    environ: Mapping[str, str] | None = None,
) -> float:
    """A number of seconds (`20`, `2.5`); unset or blank means `default`."""
    text = (os.environ if environ is None else environ).get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    low = 0.0 if allow_zero else math.ulp(0.0)
    if not low <= value <= MAX_SECONDS:  # also refuses nan and inf
        floor = "from 0" if allow_zero else "above 0 and"
        raise SettingInvalid(
            f"{name}={text!r}: expected a number of seconds {floor} up to {MAX_SECONDS:.0f} "
            f"(default {default:g})"
        )
    return value


def count_setting(
    name: str,
    default: int,
    *,
    maximum: int,
    environ: Mapping[str, str] | None = None,
) -> int:
    """A whole number from 0 to `maximum` (`10000`); unset or blank means `default`."""
    text = (os.environ if environ is None else environ).get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or int(text) > maximum:
        raise SettingInvalid(
            f"{name}={text!r}: expected a whole number from 0 to {maximum} (default {default})"
        )
    return int(text)


def choice_setting(
    name: str, choices: Sequence[str], default: str, *, environ: Mapping[str, str] | None = None
) -> str:
    """One of `choices`, case and surrounding blanks ignored; unset or blank means `default`."""
    value = (os.environ if environ is None else environ).get(name, "").strip().lower()
    if not value:
        return default
    if value not in choices:
        expected = " or ".join(repr(choice) for choice in choices)
        raise SettingInvalid(f"{name}={value!r}: expected {expected}")
    return value


def url_setting(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    """An http(s) URL with a host (a proxy or test double's base URL); unset or blank is None."""
    text = (os.environ if environ is None else environ).get(name, "").strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        usable = parts.scheme in {"http", "https"} and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        usable = False
    if not usable:  # the value is not repeated: a base URL may carry user:password
        raise SettingInvalid(f"{name}: expected an http(s) URL such as https://proxy.example:8443")
    return text


DATABASE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


def database_url_setting(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    """A SQLite or PostgreSQL URL (`postgresql://user@host/db`); unset or blank is None.

    PostgreSQL goes through psycopg 3 whichever of its two schemes is given. The value is not
    repeated in the error: it may carry a password."""
    text = (os.environ if environ is None else environ).get(name, "").strip()
    if not text:
        return None
    scheme, _, rest = text.partition("://")
    if scheme not in DATABASE_SCHEMES or not rest:
        raise SettingInvalid(f"{name}: expected sqlite:///PATH or postgresql://USER@HOST/DATABASE")
    if scheme == "postgresql":
        return "postgresql+psycopg://" + rest
    return text
