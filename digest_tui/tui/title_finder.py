"""Fuzzy title search for the command palette: `jetfrmr` finds JetFormer among 100,000 titles.

Textual's fuzzy matcher scores one title in tens of microseconds, far too slow for a whole
library at each keystroke, and it tries every way the letters fit, which for a query of
repeated letters in a long title runs into millions. So the library's folded titles are kept
joined in one string, one a line, newest first; a compiled pattern finds the titles holding
the query's letters in order (a possessive pattern: one pass, no backtracking), ranks them by
how tightly the letters sit, and only the tightest few hundred go to the matcher.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from heapq import nsmallest
from itertools import accumulate

from textual.content import Content
from textual.fuzzy import FuzzySearch
from textual.style import Style

from digest_tui.digest.model import Entry
from digest_tui.text.sanitize import clean_line

TITLE_CHARS = 200
"""Characters of a title searched and shown: no paper's title is longer."""
SCANNED = 2_000
"""Titles holding the letters looked at, newest first, before the tightest are chosen."""
SCORED = 300
"""Titles scored by the matcher at most."""
WAYS = 20_000
"""Ways the letters could fit a title above which the matcher is not asked (see score)."""


def shown_title(entry: Entry) -> str:
    """The title as the palette shows and matches it: one line, no control characters."""
    return clean_line(entry.title[:TITLE_CHARS])


class TitleFinder:
    """The folded titles of `entries`, to find those a fuzzy query may match."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.count = len(entries)
        folded = [shown_title(entry).lower() for entry in reversed(entries)]
        self.text = "\n" + "\n".join(folded)
        """Each title after a line break: the patterns start at one."""
        self.starts = list(accumulate((len(title) + 1 for title in folded[:-1]), initial=1))
        """Where each title starts in `text`."""

    def candidates(self, query: str, limit: int = SCORED) -> list[int]:
        """Positions (in the entries given) of at most `limit` titles holding the letters of
        `query` in order: those holding it whole first, then the tightest fits; among equal
        ones, the newest."""
        letters = query.lower()
        if not letters or "\n" in letters:
            return []
        lines = self._holding(letters, limit)
        if len(lines) < limit:
            spans: dict[int, int] = {}
            for match in _pattern(letters).finditer(self.text):
                start, end = match.span(1)
                if start >= 0:
                    spans[bisect_right(self.starts, start) - 1] = end - match.start()
                    if len(spans) >= SCANNED:
                        break
            for line in lines:
                spans.pop(line, None)
            lines += nsmallest(limit - len(lines), spans, key=lambda line: (spans[line], line))
        return [self.count - 1 - line for line in lines]

    def _holding(self, letters: str, limit: int) -> list[int]:
        """The lines holding `letters` whole, newest first, at most `limit`."""
        text, starts = self.text, self.starts
        lines: list[int] = []
        position = text.find(letters)
        while position >= 0 and len(lines) < limit:
            line = bisect_right(starts, position) - 1
            lines.append(line)
            following = line + 1
            if following >= len(starts):
                break
            position = text.find(letters, starts[following])
        return lines


def _pattern(letters: str) -> re.Pattern[str]:
    """The letters in order on one line, each at its first place after the one before:
    `j(?:([^\\ne]*+e…)|)[^\\n]*+`. The engine finds the first letter as fast as memchr; from the
    first one on a line the rest fit if they fit at all, so the match then takes the line
    whole, with group 1 set when they fit, and the engine never goes back along it."""
    first, rest = letters[0], letters[1:]
    fit = "".join(f"[^\\n{re.escape(letter)}]*+{re.escape(letter)}" for letter in rest)
    return re.compile(f"{re.escape(first)}(?:({fit})|)[^\\n]*+")


_fuzzy = FuzzySearch()


def score(query: str, title: str) -> tuple[float, Sequence[int]]:
    """Textual's fuzzy score of `title` for `query` and the offsets of the matched letters.

    The matcher lists every way the letters fit before it picks the best: for `eeeeeeee` in a
    long title of many e's that is millions of lists. Past WAYS ways, the letters are taken
    where they first fit and scored by the same rule.
    """
    folded, letters = title.lower(), query.lower()
    if letters not in folded and _ways(letters, folded) > WAYS:
        offsets = _first_fit(letters, folded)
        return (_fuzzy.score(folded, offsets) if offsets else 0.0), offsets
    return _fuzzy.match(query, title)


def _ways(letters: str, title: str) -> int:
    """An upper bound on the ways `letters` fit in order into `title`."""
    ways = 1
    for letter in letters:
        ways *= title.count(letter)
        if ways > WAYS:
            break
    return ways


def _first_fit(letters: str, title: str) -> list[int]:
    """The offsets of `letters` in `title`, each at its first place after the one before."""
    offsets: list[int] = []
    position = 0
    for letter in letters:
        position = title.find(letter, position)
        if position < 0:
            return []
        offsets.append(position)
        position += 1
    return offsets


def highlighted(title: str, offsets: Sequence[int], style: Style | None = None) -> Content:
    """`title` as plain content with the letters at `offsets` styled.

    Never `Matcher.highlight(title)`: that reads the title as markup, and a digest's title
    could then carry a click action or a link.
    """
    content, style = Content(title), style or Style(reverse=True)
    for offset in offsets:
        if offset < len(title) and not title[offset].isspace():
            content = content.stylize(style, offset, offset + 1)
    return content
