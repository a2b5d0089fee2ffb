"""Search as you type: case-insensitive substring search over every text field of an entry."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Sequence

from digest_tui.model import Entry

# Separates entries in the haystack; it cannot occur in folded text.
SEPARATOR = "\x00"


def fold(text: str) -> str:
    """Normalise for matching: NFKC (full-width letters, composed Hangul) and casefold."""
    return unicodedata.normalize("NFKC", text).casefold().replace(SEPARATOR, " ")


def searchable_text(entry: Entry) -> str:
    return "\n".join(
        (entry.title, ", ".join(entry.authors), entry.abstract, entry.commentary, " ".join("#" + t for t in entry.tags))
    )


class SearchIndex:
    """All entries' folded text in one string, so a query is a few C-speed `str.find` scans
    instead of a Python loop over every entry."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        texts = [fold(searchable_text(entry)) for entry in entries]
        self.starts: list[int] = []
        offset = 0
        for text in texts:
            self.starts.append(offset)
            offset += len(text) + 1
        self.haystack = SEPARATOR.join(texts)
        self.size = len(texts)

    def text_of(self, index: int) -> str:
        end = self.starts[index + 1] - 1 if index + 1 < self.size else len(self.haystack)
        return self.haystack[self.starts[index] : end]

    def search(self, query: str) -> list[int]:
        """Indices of entries containing every word of `query`, in index order."""
        words = sorted(set(fold(query).split()), key=len, reverse=True)
        if not words:
            return list(range(self.size))
        first, rest = words[0], words[1:]
        found: list[int] = []
        position = self.haystack.find(first)
        while position != -1:
            index = bisect_right(self.starts, position) - 1
            if all(word in self.text_of(index) for word in rest):
                found.append(index)
            if index + 1 >= self.size:
                break
            position = self.haystack.find(first, self.starts[index + 1])
        return found
