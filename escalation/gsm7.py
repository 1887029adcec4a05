"""SMS text that fits one GSM-7 segment, so a page arrives whole, in order, at the single-SMS price.

One character outside GSM-7 (an emoji, a curly quote) switches the whole message to UCS-2, which
holds only 70 characters, and a longer text is split into segments that some handsets show out of
order. So text for SMS is transliterated to ASCII and counted in GSM-7 septets.
"""

from __future__ import annotations

import re
import string

from anyascii import anyascii

SEGMENT_SEPTETS = 160
"""Septets in one GSM-7 SMS segment."""

GSM7_EXTENSION = frozenset("^{}\\[~]|")
"""ASCII characters that GSM-7 sends as an escape plus a character: each costs two septets."""

GSM7_ASCII = frozenset(string.ascii_letters + string.digits + " \n\r!\"#$%&'()*+,-./:;<=>?@_")
"""ASCII characters in the GSM-7 basic table (one septet each). The backtick is in neither table."""

ELLIPSIS = "..."
_WHITESPACE = re.compile(r"\s+")


def septets(text: str) -> int:
    """How many septets `text` occupies in GSM-7 (extension characters count twice)."""
    return sum(2 if char in GSM7_EXTENSION else 1 for char in text)


def to_gsm7_ascii(text: str) -> str:
    """Transliterate to ASCII that GSM-7 can carry: accents dropped, emoji removed, one line."""
    characters: list[str] = []
    for char in text:
        ascii_form = anyascii(char)
        if len(ascii_form) > 2 and ascii_form[0] == ascii_form[-1] == ":":
            continue  # an emoji (anyascii spells them ":fire:"): noise on a pager
        characters.append(ascii_form.replace("`", "'"))
    ascii_text = "".join(c for c in "".join(characters) if c in GSM7_ASCII or c in GSM7_EXTENSION)
    return _WHITESPACE.sub(" ", ascii_text).strip()


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` septets, ending in an ellipsis when anything was cut."""
    if septets(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    budget = limit - len(ELLIPSIS)
    kept: list[str] = []
    for char in text:
        cost = 2 if char in GSM7_EXTENSION else 1
        if cost > budget:
            break
        kept.append(char)
        budget -= cost
    return "".join(kept).rstrip() + ELLIPSIS
