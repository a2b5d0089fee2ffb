"""Where a query's words occur in a text: spans of the original text, found on its folded form.

Search compares folded text (search.fold: NFKC and casefold), and folding may change a text's
length: "ß" folds to "ss", a full-width "Ａ" to "a", the conjoining jamo of a Hangul syllable
to the one syllable. So the text is folded a piece at a time, each folded character
remembering the piece it came from, and a match is mapped back to whole original characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from digest_tui.digest.search import fold


def match_spans(text: str, needles: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) spans of `text` where a folded needle (a word, or a phrase whose words may
    be apart by any spaces) matches, case- and width-insensitively; overlapping or touching
    spans merged, in order."""
    wanted = [needle.split() for needle in needles if needle.strip()]
    if not wanted or not text:
        return []
    folded, starts, ends = _folded(text)
    pattern = re.compile("|".join(r"\s+".join(map(re.escape, words)) for words in sorted(wanted, key=len, reverse=True)))
    spans: list[tuple[int, int]] = []
    # A lookahead finds every match, overlapping ones too ("aa" twice in "aaa").
    for found in re.finditer(f"(?=({pattern.pattern}))", folded):
        start, end = found.span(1)
        if end > start:
            spans.append((start, end) if starts is None else (starts[start], ends[end - 1]))
    return _merged(spans)


def _folded(text: str) -> tuple[str, list[int] | None, list[int]]:
    """The folded text, and for each of its characters the start and end of the original
    characters it came from (None: the same places, for ASCII)."""
    if text.isascii():
        return text.lower(), None, []
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _clusters(text):
        piece = fold(text[start:end])
        pieces.append(piece)
        starts.extend([start] * len(piece))
        ends.extend([end] * len(piece))
    return "".join(pieces), starts, ends


def _clusters(text: str) -> list[tuple[int, int]]:
    """Runs of a character and what NFKC may combine with it: combining marks, the vowel and
    final jamo of a Hangul syllable, the half-width voicing marks of katakana."""
    clusters: list[tuple[int, int]] = []
    start = 0
    for at in range(1, len(text)):
        if not _joins(text[at]):
            clusters.append((start, at))
            start = at
    clusters.append((start, len(text)))
    return clusters


def _joins(char: str) -> bool:
    return bool(unicodedata.combining(char)) or "\u1160" <= char <= "\u11ff" or "\ud7b0" <= char <= "\ud7ff" or char in "\uff9e\uff9f"


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
