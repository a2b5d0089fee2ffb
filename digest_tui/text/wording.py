"""Small wording helpers shared by the reader and the command line: counts and cut text."""

from __future__ import annotations


def plural(count: int, one: str, many: str = "") -> str:
    """`1 entry`, `2 entries`: the count with the right form of the noun."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"
