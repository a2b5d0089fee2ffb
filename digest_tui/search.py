"""Search as you type: case-insensitive substring search over every text field of an entry."""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from itertools import compress, repeat
from operator import contains

from digest_tui.model import Entry

# Separates entries in the haystack; it cannot occur in folded text.
SEPARATOR = "\x00"
# Results of this many recent query words are kept: typing one more letter, or deleting one,
# then searches only the entries the shorter (or longer) word already narrowed down to.
REMEMBERED_WORDS = 64

_normalize = unicodedata.normalize


def fold(text: str) -> str:
    """Normalise for matching: NFKC (full-width letters, composed Hangul) and casefold."""
    return unicodedata.normalize("NFKC", text).casefold().replace(SEPARATOR, " ")


def _fold_field(text: str) -> str:
    # ASCII is its own NFKC form and its casefold is its lower case: most abstracts skip the
    # Unicode tables. Fields are joined with "\n", which never combines with its neighbours,
    # so folding field by field gives the same text as folding the whole.
    if text.isascii():
        return text.lower().replace(SEPARATOR, " ")
    return _normalize("NFKC", text).casefold().replace(SEPARATOR, " ")


def searchable_text(entry: Entry) -> str:
    return "\n".join(
        (entry.title, ", ".join(entry.authors), entry.abstract, entry.commentary, " ".join("#" + t for t in entry.tags))
    )


def search_bytes(entry: Entry) -> bytes:
    """fold(searchable_text(entry)) as UTF-8: what a query word is looked for in."""
    return "\n".join(
        (
            _fold_field(entry.title),
            _fold_field(", ".join(entry.authors)),
            _fold_field(entry.abstract),
            _fold_field(entry.commentary),
            _fold_field(" ".join("#" + t for t in entry.tags)),
        )
    ).encode("utf-8", "surrogatepass")


class SearchIndex:
    """Every entry's folded text as UTF-8 bytes, searched with C-speed `in` tests.

    UTF-8 keeps English text at one byte a character (a Python string holding any Hangul
    takes two for every character), and a substring of UTF-8 is a substring of the text. A
    query word is looked for only among the entries a shorter word it contains matched
    before, so typing a word letter by letter narrows instead of starting over.
    """

    def __init__(self, entries: Sequence[Entry], texts: Sequence[bytes] | None = None) -> None:
        if texts is None or len(texts) != len(entries):
            texts = [search_bytes(entry) for entry in entries]
        self.texts: list[bytes] = list(texts)
        self.size = len(self.texts)
        self._remembered: OrderedDict[bytes, list[int]] = OrderedDict()
        # Searches may run in worker threads; the remembered words are shared between them.
        self._lock = threading.Lock()

    def search(self, query: str) -> list[int]:
        """Indices of entries containing every word of `query`, in index order."""
        words = sorted({word.encode("utf-8", "surrogatepass") for word in fold(query).split()}, key=len, reverse=True)
        if not words:
            return list(range(self.size))
        found: list[int] | None = None
        with self._lock:
            for word in words:
                found = self._matches(word, found)
                if not found:
                    return []
        return list(found) if found is not None else []

    def _matches(self, word: bytes, within: list[int] | None) -> list[int]:
        """Entries containing `word`, among `within` (sorted indices; None: all)."""
        remembered = self._remembered
        known = remembered.get(word)
        if known is not None:
            remembered.move_to_end(word)
            return known if within is None else _intersect(within, known)
        texts = self.texts
        if within is not None:
            return list(compress(within, map(contains, map(texts.__getitem__, within), repeat(word))))
        # Every entry containing `word` contains each shorter word inside it: look only among
        # the entries of the smallest such word already searched for.
        candidates: list[int] | None = None
        for other, hits in remembered.items():
            if other in word and (candidates is None or len(hits) < len(candidates)):
                candidates = hits
        if candidates is None:
            result = list(compress(range(self.size), map(contains, texts, repeat(word))))
        else:
            result = list(compress(candidates, map(contains, map(texts.__getitem__, candidates), repeat(word))))
        remembered[word] = result
        if len(remembered) > REMEMBERED_WORDS:
            remembered.popitem(last=False)
        return result


def _intersect(a: list[int], b: list[int]) -> list[int]:
    """The indices in both sorted lists, sorted."""
    if len(a) > len(b):
        a, b = b, a
    return list(compress(a, map(set(b).__contains__, a)))
