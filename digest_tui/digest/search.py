"""Search as you type: case-insensitive substring search over every text field of an entry."""

from __future__ import annotations

import threading
import unicodedata
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from itertools import compress, repeat
from operator import contains
from typing import TYPE_CHECKING

from digest_tui.digest.model import Entry

if TYPE_CHECKING:
    # Only an index with tokens needs numpy, and whoever made the tokens has imported it: a
    # reader that starts with the texts alone does not wait for numpy to load.
    import numpy as np
    from numpy.typing import NDArray

    from digest_tui.digest.tokens import TokenIndex

# Separates entries in the haystack; it cannot occur in folded text.
SEPARATOR = "\x00"
# Results of this many recent query words are kept: typing one more letter, or deleting one,
# then searches only the entries the shorter (or longer) word already narrowed down to.
REMEMBERED_WORDS = 64
# Searching through tokens, the entries of fewer words are kept: each is an array of up to
# every entry number (4 MB at a million entries), and finding one again takes milliseconds.
REMEMBERED_TOKEN_WORDS = 16

_normalize = unicodedata.normalize


def fold(text: str) -> str:
    """Normalise for matching: NFKC (full-width letters, composed Hangul) and casefold."""
    # ASCII is its own NFKC form and its casefold is its lower case: most abstracts skip the
    # Unicode tables.
    if text.isascii():
        return text.lower().replace(SEPARATOR, " ")
    return _normalize("NFKC", text).casefold().replace(SEPARATOR, " ")


def search_bytes(entry: Entry) -> bytes:
    """An entry's title, authors, abstract, commentary and #tags, one field a line, folded and
    in UTF-8: what a query word is looked for in."""
    # Fields are joined with "\n", which never combines with its neighbours, so folding field
    # by field gives the same text as folding the whole.
    return "\n".join(
        (
            fold(entry.title),
            fold(", ".join(entry.authors)),
            fold(entry.abstract),
            fold(entry.commentary),
            fold(" ".join("#" + t for t in entry.tags)),
        )
    ).encode("utf-8", "surrogatepass")


class SearchIndex:
    """Finds the entries containing every word of a query, as folded UTF-8 bytes.

    Without a token index, every entry's folded text is kept and searched with C-speed `in`
    tests. UTF-8 keeps English text at one byte a character (a Python string holding any Hangul
    takes two for every character), and a substring of UTF-8 is a substring of the text. A
    query word is looked for only among the entries a shorter word it contains matched
    before, so typing a word letter by letter narrows instead of starting over.

    With a token index (tokens.TokenIndex, given at the start or later by use_tokens) every
    word is answered from it with the same results, and the texts are neither needed nor kept.
    """

    def __init__(self, entries: Sequence[Entry], texts: Sequence[bytes] | None = None, tokens: TokenIndex | None = None) -> None:
        """`texts`: each entry's search_bytes, when the caller has them (they are made from
        `entries` otherwise). `tokens`: the token index of these entries; with it no text is
        made or kept, so `entries` are only counted."""
        self.size = len(entries)
        self.texts: list[bytes] | None = None
        self._tokens: TokenIndex | None = None
        if tokens is not None:
            self._check(tokens)
            self._tokens = tokens
        else:
            if texts is None or len(texts) != len(entries):
                texts = [search_bytes(entry) for entry in entries]
            self.texts = list(texts)
        self._remembered: OrderedDict[bytes, list[int]] = OrderedDict()
        self._hits: OrderedDict[bytes, NDArray[np.int32]] = OrderedDict()
        # Searches may run in worker threads; the remembered words are shared between them.
        self._lock = threading.Lock()

    @property
    def tokens(self) -> TokenIndex | None:
        """The token index searches go through, if there is one."""
        return self._tokens

    def use_tokens(self, tokens: TokenIndex) -> None:
        """Answer searches from `tokens` (the token index of the same entries) from now on, and
        let go of the texts. Safe while another thread searches."""
        self._check(tokens)
        with self._lock:
            self._tokens = tokens
            self.texts = None
            self._remembered.clear()

    def _check(self, tokens: TokenIndex) -> None:
        if tokens.count != self.size:
            raise ValueError(f"a token index of {tokens.count} entries cannot search {self.size}")

    def search(self, query: str) -> list[int]:
        """Indices of entries containing every word of `query`, in index order."""
        words = sorted({word.encode("utf-8", "surrogatepass") for word in fold(query).split()}, key=len, reverse=True)
        if not words:
            return list(range(self.size))
        with self._lock:
            if self._tokens is not None:
                return self._search_tokens(self._tokens, words)
            found: list[int] | None = None
            for word in words:
                found = self._matches(word, found)
                if not found:
                    return []
        return list(found) if found is not None else []

    def _search_tokens(self, tokens: TokenIndex, words: list[bytes]) -> list[int]:
        import numpy as np  # loaded already: tokens is made of numpy arrays

        found: NDArray[np.int32] | None = None
        for word in words:
            hits = self._hits.get(word)
            if hits is None:
                hits = self._hits[word] = tokens.entries_with(word)
                if len(self._hits) > REMEMBERED_TOKEN_WORDS:
                    self._hits.popitem(last=False)
            else:
                self._hits.move_to_end(word)
            if found is not None:
                chosen = np.zeros(self.size, dtype=np.bool_)
                chosen[found] = True
                hits = hits[chosen[hits]]
            found = hits
            if not found.size:
                return []
        return found.tolist() if found is not None else []

    def _matches(self, word: bytes, among: list[int] | None) -> list[int]:
        """Entries containing `word`, among `among` (sorted indices; None: all)."""
        remembered = self._remembered
        known = remembered.get(word)
        if known is not None:
            remembered.move_to_end(word)
            return known if among is None else within(known, among)
        texts = self.texts
        assert texts is not None  # searches without tokens keep the texts
        if among is not None:
            return list(compress(among, map(contains, map(texts.__getitem__, among), repeat(word))))
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


def within(found: Sequence[int], chosen: Sequence[int]) -> list[int]:
    """The indices in both `found` and `chosen`, sorted. Both come sorted; `chosen` may be a
    range (a run of dates, or every entry), which is cut out of `found` by bisection."""
    if isinstance(chosen, range) and chosen.step == 1:
        return list(found[bisect_left(found, chosen.start) : bisect_left(found, chosen.stop)])
    # A set of the shorter list, looked up while walking the longer: hashing costs more than
    # looking up.
    shorter, longer = (found, chosen) if len(found) <= len(chosen) else (chosen, found)
    members = set(shorter)
    return list(compress(longer, map(members.__contains__, longer)))
