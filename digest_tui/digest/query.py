"""The search language: a query string -> a small syntax tree -> the entries it finds.

    words             every word must occur (substrings, case- and width-insensitive)
    "a phrase"        the words in this order, on one line of one field
    -word  -"phrase"  -field:value  -(group)      none of these
    a | b   a OR b    either (binds tighter than the spaces between terms)
    ( ... )           a group
    title: author: by: abstract: comment: note:   the value (a word or "a phrase") in that field
    tag:name  #name   carries the tag (whole tag, any case)
    id:  arxiv:       the entry's id or arXiv id (any version)
    date:2024  date:2024-09  date:2024-09-18      dated in that year, month or day
    after:X  before:X from the first day of X on / up to the last day of X: both inclusive
    is:read  is:unread  is:bookmarked  is:watched

Parsing never fails: a term that cannot be understood becomes a QueryError (with its place in
the text) and is left out, and the rest of the query still applies. Evaluation narrows through
the search index first and looks at an entry's fields only for the candidates it left.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import compress
from operator import not_
from typing import Literal, Protocol, get_args

from digest_tui.digest.library import Library
from digest_tui.digest.model import Entry
from digest_tui.digest.search import SearchIndex, fold, search_bytes, within

FieldName = Literal["text", "title", "author", "abstract", "comment", "note", "tag", "id"]
"""Where a Match looks: "text" is every field search looks in (title, authors, abstract,
commentary, #tags)."""
HighlightField = Literal["title", "author", "abstract", "comment", "tag", "note"]
State = Literal["read", "unread", "bookmarked", "watched"]
STATES: tuple[State, ...] = get_args(State)

# The names a user may type before ":", and the field each one means.
FIELD_NAMES: dict[str, FieldName] = {
    "title": "title",
    "author": "author",
    "by": "author",
    "abstract": "abstract",
    "comment": "comment",
    "note": "note",
    "tag": "tag",
    "id": "id",
    "arxiv": "id",
}
DATE_NAMES = ("date", "after", "before")
KNOWN_NAMES = (*FIELD_NAMES, *DATE_NAMES, "is")


@dataclass(frozen=True)
class QueryError:
    """Something in the query that could not be understood: text[start:end], and why."""

    start: int
    end: int
    message: str


@dataclass(frozen=True)
class Match:
    """Text in a field. `value` is folded; a phrase's words are joined by single spaces."""

    field: FieldName
    value: str
    phrase: bool = False


@dataclass(frozen=True)
class Dated:
    """Dated from `first` to `last`, both included."""

    first: date
    last: date


@dataclass(frozen=True)
class Marked:
    state: State


@dataclass(frozen=True)
class Not:
    term: Node


@dataclass(frozen=True)
class AllOf:
    terms: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    terms: tuple[Node, ...]


Node = Match | Dated | Marked | Not | AllOf | AnyOf


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: its tree (None: no term, every entry) and what could not be understood."""

    text: str
    root: Node | None
    errors: list[QueryError] = field(default_factory=list)

    @property
    def reads_details(self) -> bool:
        """Whether answering it may read entries' details from their files (a phrase, or an
        author, abstract or commentary term): slow for many candidates, so not on a UI thread."""
        return _reads_details(self.root)

    def highlights(self, where: HighlightField) -> tuple[str, ...]:
        """The folded words and phrases to highlight in a field: those of the terms that
        want something found (not the negated ones); a bare word in every field."""
        found: list[str] = []
        _collect(self.root, where, found)
        return tuple(dict.fromkeys(found))


def _reads_details(node: Node | None) -> bool:
    if isinstance(node, Match):
        return node.field in ("author", "abstract", "comment") or (node.field == "text" and node.phrase)
    if isinstance(node, Not):
        return _reads_details(node.term)
    if isinstance(node, (AllOf, AnyOf)):
        return any(map(_reads_details, node.terms))
    return False


def _collect(node: Node | None, where: HighlightField, found: list[str]) -> None:
    if isinstance(node, AllOf | AnyOf):
        for term in node.terms:
            _collect(term, where, found)
    elif isinstance(node, Match) and node.field in ("text", where):
        found.append(node.value)


# -- parsing -------------------------------------------------------------------------------

# A bare word ends at a space, a parenthesis, a bar or a quote (which starts a phrase).
_WORD_END = re.compile(r'[\s()|"]')
_FIELD = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def parse_query(text: str) -> ParsedQuery:
    """Parse `text` into a query and the errors found in it; never raises."""
    parser = _Parser(text)
    root = parser.sequence(0)
    return ParsedQuery(text, root, parser.errors)


@lru_cache(maxsize=32)
def cached_query(text: str) -> ParsedQuery:
    """parse_query, remembered for the last few texts (a keystroke's search, then its
    highlighting, parse the same text). Shared: do not change its errors list."""
    return parse_query(text)


class _Parser:
    """Recursive descent over the text, with a cursor; errors are collected, never raised."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.errors: list[QueryError] = []

    def error(self, start: int, end: int, message: str) -> None:
        self.errors.append(QueryError(start, end, message))

    def skip_spaces(self) -> None:
        text, at = self.text, self.at
        while at < len(text) and text[at].isspace():
            at += 1
        self.at = at

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def at_or(self) -> bool:
        """At a "|", or at an "OR" standing alone as a word."""
        if self.peek() == "|":
            return True
        text, at = self.text, self.at
        return text.startswith("OR", at) and (at + 2 == len(text) or bool(_WORD_END.match(text, at + 2)))

    def sequence(self, depth: int) -> Node | None:
        """Terms up to the end (or the ")" closing a group at `depth` > 0): all must hold."""
        terms: list[Node] = []
        while True:
            self.skip_spaces()
            char = self.peek()
            if not char or (char == ")" and depth):
                break
            if char == ")":
                self.error(self.at, self.at + 1, 'unmatched ")"')
                self.at += 1
            elif self.at_or():
                start = self.at
                self.at += 1 if char == "|" else 2
                self.error(start, self.at, f'"{self.text[start : self.at]}" needs a term before it')
            else:
                term = self.alternatives(depth)
                if term is not None:
                    terms.append(term)
        return _all_of(terms)

    def alternatives(self, depth: int) -> Node | None:
        """A term, or terms joined by | or OR: any may hold."""
        options = [self.unary(depth)]
        while True:
            before = self.at
            self.skip_spaces()
            if not self.at_or():
                self.at = before
                break
            start = self.at
            operator = "|" if self.peek() == "|" else "OR"
            self.at += len(operator)
            self.skip_spaces()
            if not self.peek() or self.peek() == ")" or self.at_or():
                self.error(start, start + len(operator), f'"{operator}" needs a term after it')
                break
            options.append(self.unary(depth))
        kept = [option for option in options if option is not None]
        # An option that could not be understood is left out, not taken as "anything".
        if len(kept) == 1:
            return kept[0]
        return AnyOf(tuple(kept)) if kept else None

    def unary(self, depth: int) -> Node | None:
        if self.peek() == "-":
            start = self.at
            self.at += 1
            if not self.peek() or self.peek().isspace() or self.peek() in ")|":
                self.error(start, start + 1, 'a lone "-" excludes nothing')
                return None
            term = self.atom(depth)
            return None if term is None else Not(term)
        return self.atom(depth)

    def atom(self, depth: int) -> Node | None:
        char = self.peek()
        if char == "(":
            return self.group(depth)
        if char == '"':
            start = self.at
            return _text_match("text", self.quoted(), start, self, quoted=True)
        return self.word()

    def group(self, depth: int) -> Node | None:
        start = self.at
        self.at += 1
        inner = self.sequence(depth + 1)
        if self.peek() == ")":
            self.at += 1
        else:
            self.error(start, start + 1, 'unclosed "(": the group runs to the end')
        return inner

    def quoted(self) -> str:
        """The text between quotes at the cursor; an unclosed quote runs to the end (so a
        phrase narrows while it is typed) and says so."""
        start = self.at
        end = self.text.find('"', start + 1)
        if end < 0:
            self.error(start, len(self.text), "unclosed quote: the phrase runs to the end")
            self.at = len(self.text)
            return self.text[start + 1 :]
        self.at = end + 1
        return self.text[start + 1 : end]

    def word(self) -> Node | None:
        start = self.at
        found = _WORD_END.search(self.text, start)
        self.at = end = found.start() if found else len(self.text)
        run = self.text[start:end]
        named = _FIELD.fullmatch(run)
        if named is not None:
            return self.field_term(named.group(1), named.group(2), start)
        if run.startswith("#") and len(run) > 1:
            return _tag(run, start, self)
        return _text_match("text", run, start, self)

    def field_term(self, name: str, value: str, start: int) -> Node | None:
        key = name.lower()
        if key not in KNOWN_NAMES:
            self.error(
                start,
                start + len(name) + 1,
                f'unknown field "{name}:" (fields: {", ".join(n + ":" for n in KNOWN_NAMES)}); put it in quotes to search for the text',
            )
            return None
        quoted = not value and self.peek() == '"'
        if quoted:
            value = self.quoted()
        if not value.strip():
            self.error(start, self.at, f'"{name}:" needs a value')
            return None
        if key in DATE_NAMES:
            return _dated(key, value, start, self)
        if key == "is":
            return _marked(value, start, self)
        where = FIELD_NAMES[key]
        if where == "tag":
            return _tag(value, start, self)
        if where == "id":
            return Match("id", _id_key(value))
        return _text_match(where, value, start, self, quoted)


def _all_of(terms: list[Node]) -> Node | None:
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else AllOf(tuple(terms))


def _text_match(where: FieldName, value: str, start: int, parser: _Parser, quoted: bool = False) -> Node | None:
    words = fold(value).split()
    if not words:
        parser.error(start, parser.at, "nothing to search for in the quotes")
        return None
    return Match(where, " ".join(words), phrase=quoted and len(words) > 1)


def _tag(value: str, start: int, parser: _Parser) -> Node | None:
    name = fold(value.strip().lstrip("#"))
    if not name:
        parser.error(start, parser.at, "a tag needs a name")
        return None
    return Match("tag", name)


def _marked(value: str, start: int, parser: _Parser) -> Node | None:
    state = value.strip().lower()
    for known in STATES:
        if state == known:
            return Marked(known)
    parser.error(start, parser.at, f'unknown state "is:{value}" (states: {", ".join(STATES)})')
    return None


def _dated(key: str, value: str, start: int, parser: _Parser) -> Node | None:
    span = date_span(value.strip())
    if span is None:
        parser.error(start + len(key) + 1, parser.at, f'"{value}" is not a date (write 2024, 2024-09 or 2024-09-18)')
        return None
    first, last = span
    if key == "after":
        return Dated(first, date.max)
    if key == "before":
        return Dated(date.min, last)
    return Dated(first, last)


def date_span(value: str) -> tuple[date, date] | None:
    """The first and last day of a year, month or day written 2024, 2024-09 or 2024-09-18."""
    found = _DATE.fullmatch(value)
    if found is None:
        return None
    year, month, day = (int(part) if part else 0 for part in found.groups())
    try:
        if not month:
            return date(year, 1, 1), date(year, 12, 31)
        if not day:
            following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            return date(year, month, 1), date.fromordinal(following.toordinal() - 1)
        return date(year, month, day), date(year, month, day)
    except (ValueError, OverflowError):
        return None


_VERSION = re.compile(r"v\d+$")


def _id_key(value: str) -> str:
    """An id as id: compares it: folded, without "arxiv:" or a version ("2409.01234v2")."""
    return _VERSION.sub("", fold(value.strip()).removeprefix("arxiv:"))


# -- evaluation ----------------------------------------------------------------------------


class QueryMarks(Protocol):
    """What is:, note: and the watch list ask of the reader's marks."""

    @property
    def watched(self) -> Container[int]:
        """Positions in library.entries of the watched entries (a frozenset, say)."""
        ...

    def is_read(self, entry_id: str) -> bool: ...

    def is_bookmarked(self, entry_id: str) -> bool: ...

    def note(self, entry_id: str) -> str: ...


@dataclass(frozen=True)
class Marks:
    """QueryMarks from plain collections (the export's state, tests)."""

    read: Container[str] = frozenset()
    bookmarked: Container[str] = frozenset()
    notes: Mapping[str, str] = field(default_factory=dict)
    watched: Container[int] = frozenset()

    def is_read(self, entry_id: str) -> bool:
        return entry_id in self.read

    def is_bookmarked(self, entry_id: str) -> bool:
        return entry_id in self.bookmarked

    def note(self, entry_id: str) -> str:
        return self.notes.get(entry_id, "")


def run_query(parsed: ParsedQuery, library: Library, index: SearchIndex, marks: QueryMarks, among: Sequence[int] | None = None) -> list[int]:
    """Positions in library.entries of the entries the query finds, ascending; `among`
    (ascending) narrows them first, as a date or tag filter does.

    Words are the index's (a few milliseconds at 100,000 entries). A phrase or a field term
    searches the index for its words, then looks at the field of each candidate left: a
    title or a tag is in the row, authors, abstract and commentary are read from the entry's
    file (tens of microseconds an entry), so their cost grows with the candidates, not with
    the library. A negation or an OR looks only among what the other terms left."""
    chosen: Sequence[int] = range(len(library.entries)) if among is None else among
    if parsed.root is None:
        return list(chosen)
    return _Evaluator(library, index, marks).run(parsed.root, chosen)


# Terms cheap to answer first, so the slow ones see few candidates.
_COST: dict[type, int] = {Dated: 1, Marked: 2, AnyOf: 4, AllOf: 4, Not: 5}
_FIELD_COST: dict[FieldName, int] = {"text": 0, "tag": 1, "id": 1, "title": 2, "note": 2}


def _cost(node: Node) -> int:
    if isinstance(node, Match):
        return 3 if node.phrase else _FIELD_COST.get(node.field, 3)
    return _COST[type(node)]


class _Evaluator:
    def __init__(self, library: Library, index: SearchIndex, marks: QueryMarks) -> None:
        self.library, self.index, self.marks = library, index, marks
        self.entries = library.entries

    def run(self, node: Node, among: Sequence[int]) -> list[int]:
        """The entries of `among` (ascending) that `node` lets through, ascending."""
        if isinstance(node, AllOf):
            return self.all_of(node.terms, among)
        if isinstance(node, AnyOf):
            found: set[int] = set()
            for term in node.terms:
                found.update(self.run(term, among))
            return sorted(found)
        if isinstance(node, Not):
            excluded = set(self.run(node.term, among))
            return list(compress(among, map(not_, map(excluded.__contains__, among))))
        if isinstance(node, Dated):
            return within(among, self.library.date_range(node.first, node.last))
        if isinstance(node, Marked):
            return self.marked(node.state, among)
        return self.match(node, among)

    def all_of(self, terms: tuple[Node, ...], among: Sequence[int]) -> list[int]:
        # The bare words go to the index in one search: it intersects them itself, shortest
        # list first, and remembers each word for the next keystroke.
        words = [t.value for t in terms if isinstance(t, Match) and t.field == "text" and not t.phrase]
        chosen: Sequence[int] = among
        if words:
            chosen = within(self.index.search(" ".join(words)), among)
        for term in sorted((t for t in terms if not (isinstance(t, Match) and t.field == "text" and not t.phrase)), key=_cost):
            if not chosen:
                break
            chosen = self.run(term, chosen)
        return list(chosen)

    def marked(self, state: State, among: Sequence[int]) -> list[int]:
        if state == "watched":
            return list(compress(among, map(self.marks.watched.__contains__, among)))
        entries, marks = self.entries, self.marks
        ids = [entries[i].id for i in among]
        if state == "bookmarked":
            return list(compress(among, map(marks.is_bookmarked, ids)))
        read = map(marks.is_read, ids)
        return list(compress(among, read if state == "read" else map(not_, read)))

    def match(self, node: Match, among: Sequence[int]) -> list[int]:
        if node.field == "tag":
            tagged = sorted({i for tag, found in self.library.by_tag.items() if fold(tag) == node.value for i in found})
            return within(tagged, among)
        if node.field == "id":
            return within(_ids(self.library).get(node.value, []), among)
        if node.field == "note":
            notes = self.marks.note
            test = _tester(node)
            return [i for i in among if test(fold(notes(self.entries[i].id)))]
        # Every word of the value is in the entry's search text: the index narrows first.
        candidates = within(self.index.search(node.value), among)
        if node.field == "text" and not node.phrase:
            return candidates
        text_of = _field_text(node.field, self.index)
        test = _tester(node)
        entries = self.entries
        return [i for i in candidates if test(text_of(entries[i], i))]


def _tester(node: Match) -> Callable[[str], bool]:
    """Whether a folded text holds the match's value: every word, or the phrase on one line."""
    if node.phrase:
        pattern = re.compile(phrase_pattern(node.value))
        return lambda text: pattern.search(text) is not None
    words = node.value.split()
    return lambda text: all(word in text for word in words)


def phrase_pattern(phrase: str) -> str:
    """A regular expression for a folded phrase: its words in order, spaces (not a line end)
    between them; a line is a field, or a paragraph of the commentary."""
    return r"[^\S\n]+".join(map(re.escape, phrase.split()))


def _field_text(where: FieldName, index: SearchIndex) -> Callable[[Entry, int], str]:
    """How to get the folded text of a field of the entry at a position."""
    if where == "title":
        return lambda entry, _: fold(entry.title)
    texts = index.texts
    if where == "text" and texts is not None:  # the scan's own texts: nothing to read from disk
        return lambda _, position: texts[position].decode("utf-8", "surrogatepass")
    return lambda entry, position: _FOLDED.get(index, where, entry, position)


def _fold_field(where: FieldName, entry: Entry) -> str:
    if where == "author":
        return fold(", ".join(entry.authors))
    if where == "abstract":
        return fold(entry.abstract)
    if where == "comment":
        return fold(entry.commentary)
    return search_bytes(entry).decode("utf-8", "surrogatepass")


# Folded fields kept, in characters: typing a phrase or a field term a letter at a time checks
# mostly the same candidates again, and reading one's details from its file costs some 60 µs
# where looking in kept text costs one or two. About 10 to 20 MB.
KEPT_CHARACTERS = 8_000_000


class _FoldedFields:
    """The folded fields of the entries checked last (least recently used go first), for one
    search index at a time: another index means another library, whose positions differ."""

    def __init__(self) -> None:
        self._index: weakref.ref[SearchIndex] | None = None
        self._kept: OrderedDict[tuple[FieldName, int], str] = OrderedDict()
        self._size = 0
        # Searches run in worker threads, and one given up may still be running.
        self._lock = threading.Lock()

    def get(self, index: SearchIndex, where: FieldName, entry: Entry, position: int) -> str:
        key = (where, position)
        with self._lock:
            if self._index is None or self._index() is not index:
                self._index, self._size = weakref.ref(index), 0
                self._kept.clear()
            text = self._kept.get(key)
            if text is not None:
                self._kept.move_to_end(key)
                return text
        text = _fold_field(where, entry)
        with self._lock:
            if self._index() is index and key not in self._kept:
                self._kept[key] = text
                self._size += len(text)
                while self._size > KEPT_CHARACTERS:
                    self._size -= len(self._kept.popitem(last=False)[1])
        return text


_FOLDED = _FoldedFields()


# The id: lookup of the last library asked (weakly held: a library read anew lets it go).
_id_lookup: tuple[weakref.ref[Library], dict[str, list[int]]] | None = None


def _ids(library: Library) -> dict[str, list[int]]:
    """Positions by id key, of both the entries' ids and their arXiv ids."""
    global _id_lookup
    if _id_lookup is not None and _id_lookup[0]() is library:
        return _id_lookup[1]
    lookup: dict[str, list[int]] = {}
    for position, entry in enumerate(library.entries):
        for key in {_id_key(entry.id), _id_key(entry.arxiv_id)} - {""}:
            lookup.setdefault(key, []).append(position)
    _id_lookup = (weakref.ref(library), lookup)
    return lookup
