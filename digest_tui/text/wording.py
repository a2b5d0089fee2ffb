"""Small wording helpers shared by the reader and the command line: counts and cut text."""

from __future__ import annotations


def plural(count: int, one: str, many: str = "") -> str:
    """`1 entry`, `2 entries`: the count with the right form of the noun."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def shorten(text: str, limit: int, at_word: bool = False) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when it was cut; `at_word`
    drops the word the cut went through (and punctuation left hanging before it)."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 0)]
    if not at_word:
        return head.rstrip() + "…"
    if " " in head and text[len(head)] != " ":
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" :,;-") + "…"
