"""Text of a digest -> entries and problems. Pure: no I/O, never raises.

The format is described in docs/format.md. In short: a date header, then entries of
title / (authors) / abstract / commentary / #tags, the tags line closing each entry.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from itertools import accumulate
from sys import intern

from digest_tui.digest.links import extract_links, own_arxiv_id
from digest_tui.digest.model import Details, Entry, Problem, Stamp, has_hangul
from digest_tui.text.wording import shorten

KOREAN_DATE = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
TAG = re.compile(r"#[^\s#]+")
AUTHORS = re.compile(r"\((.*)\)")
# A title is a line, not a paragraph: abstracts run to hundreds of characters.
MAX_TITLE = 300
QUOTED = 60
"""A title or line quoted in a problem is cut to this many characters."""
MAX_LINE_BYTES = 64 * 1024
"""Longer lines (in UTF-8, trimmed) are cut to this: no digest needs them, and a line of tens
of megabytes would be copied, folded and searched for links as a whole."""
# A line of at most this many characters fits in MAX_LINE_BYTES whatever they are (UTF-8
# takes at most 4 bytes a character): only longer ones need measuring in bytes.
_SURELY_SHORT = MAX_LINE_BYTES // 4


class Kind(Enum):
    BLANK = "blank"
    DATE = "date"
    TAGS = "tags"
    AUTHORS = "authors"
    ARXIV = "arxiv"
    TEXT = "text"


@dataclass(slots=True)
class ParseResult:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    search_texts: list[bytes] = field(default_factory=list)
    """What search looks in for each entry (search.search_bytes), when already computed."""


def entry_id(title: str) -> str:
    """A stable id for a paper: the hash of its normalised title."""
    normal = " ".join(re.split(r"[\W_]+", unicodedata.normalize("NFKC", title).casefold())).strip()
    return hashlib.sha1((normal or title).encode("utf-8", "surrogatepass")).hexdigest()[:12]


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF or CR only, so line numbers match what an editor shows.

    VT, FF, U+001C–U+001E, NEL (U+0085), U+2028 and U+2029 end a line for str.splitlines but
    not here: they are whitespace inside a line (whitespace is what str.isspace accepts, see
    docs/format.md).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


_LINE_END = re.compile(rb"\r\n|\r|\n")


def line_starts(data: bytes) -> list[int]:
    """Where each line of `data` begins, in bytes, counting lines as split_lines does, and
    then len(data): line n (1-based) is data[starts[n - 1]:starts[n]], its line end included."""
    if b"\r" in data:
        starts = [0, *(match.end() for match in _LINE_END.finditer(data))]
    else:
        # Lengths plus one for each "\n", summed in C: a file has tens of thousands of lines.
        starts = list(accumulate(map((1).__add__, map(len, data.split(b"\n"))), initial=0))
        starts.pop()
    starts.append(len(data))
    return starts


# Each kind but TEXT needs a certain first character, so most lines are told apart by it
# before any regular expression runs.
_ARXIV_FIRST = frozenset("aAhH")


def classify(text: str) -> Kind:
    """What a line is, judged with the whitespace around it trimmed (parse() passes it trimmed)."""
    stripped = text.strip()
    if not stripped:
        return _BLANK
    first = stripped[0]
    if first.isdecimal():  # both date spellings start with a digit (\d is any decimal digit)
        if _looks_like_date(stripped):  # a valid date or not: a header either way
            return _DATE
    elif first == "#":
        if TAG.sub("", stripped).strip() == "":
            return _TAGS
    elif first == "(":
        if stripped[-1] == ")" and _is_authors(stripped):
            return _AUTHORS
    elif first in _ARXIV_FIRST:
        if own_arxiv_id(stripped):
            return _ARXIV
    return _TEXT


def _looks_like_date(stripped: str) -> bool:
    return bool(KOREAN_DATE.fullmatch(stripped) or ISO_DATE.fullmatch(stripped))


def parse_date(stripped: str) -> date | None:
    match = KOREAN_DATE.fullmatch(stripped) or ISO_DATE.fullmatch(stripped)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _is_authors(stripped: str) -> bool:
    match = AUTHORS.fullmatch(stripped)
    if not match or not match[1].strip():
        return False
    inner = match[1]
    return "://" not in inner and not has_hangul(inner) and len(inner) < 4000


def parse_authors(stripped: str) -> tuple[str, ...]:
    inner = stripped[1:-1]
    # Interned: the same names recur across an archive, and each is then kept once.
    return tuple(intern(name.strip()) for name in inner.split(",") if name.strip())


def parse_tags(stripped: str) -> tuple[str, ...]:
    tags: list[str] = []
    for tag in TAG.findall(stripped):
        if tag[1:] not in tags:
            tags.append(tag[1:])
    return tuple(intern(tag) for tag in tags)


def parse(text: str, source: str = "<text>", starts: list[int] | None = None, stamp: Stamp | None = None) -> ParseResult:
    """Read every entry of a digest. Each non-blank line ends in an entry or a problem.

    A line is blank when it holds nothing but whitespace (str.isspace), which is also what is
    trimmed from both ends of every line. A line over MAX_LINE_BYTES is cut to that, with a
    problem, before anything else looks at it. `starts`, the line_starts() of the bytes
    `text` was decoded from, gives each entry its place in them; `stamp` is the file's.
    """
    numbers, texts, kinds, problems = _lines(text, source)
    return _Parser(numbers, texts, kinds, source, problems, starts, stamp).run()


def parse_entry(text: str, day: date, source: str = "<text>") -> Entry | None:
    """The one entry whose lines `text` holds (an entry's bytes from start to end, decoded),
    read as parse() read it under a header of `day`; None when `text` holds no entry.

    parse() ends an entry where the next begins, so its lines alone give the same entry."""
    numbers, texts, kinds, problems = _lines(text, source)
    if not texts:
        return None
    parser = _Parser(numbers, texts, kinds, source, problems)
    parser.day = day
    parser.read_entry(0)
    return parser.result.entries[0] if parser.result.entries else None


def _lines(text: str, source: str) -> tuple[list[int], list[str], list[Kind], list[Problem]]:
    """The non-blank lines of `text`: their numbers, trimmed (and cut) texts and kinds, and
    the problems of lines cut."""
    numbers: list[int] = []
    texts: list[str] = []
    kinds: list[Kind] = []
    problems: list[Problem] = []
    kind_of, surely_short = classify, _SURELY_SHORT
    for number, line in enumerate(split_lines(text), start=1):
        stripped = line.strip()
        if stripped:
            if len(stripped) > surely_short:
                stripped = _cut_long_line(stripped, number, source, problems)
            numbers.append(number)
            texts.append(stripped)
            kinds.append(kind_of(stripped))
    return numbers, texts, kinds, problems


def _cut_long_line(stripped: str, number: int, source: str, problems: list[Problem]) -> str:
    """`stripped` cut to MAX_LINE_BYTES of UTF-8 at a character boundary, noting a problem;
    unchanged when it fits."""
    # surrogatepass: parse() takes any str, and a lone surrogate must not raise here.
    size = len(stripped) if stripped.isascii() else len(stripped.encode("utf-8", "surrogatepass"))
    if size <= MAX_LINE_BYTES:
        return stripped
    message = f"line is {_human_size(size)} long; cut to its first {_human_size(MAX_LINE_BYTES)}"
    problems.append(Problem(source, number, message))
    head = stripped[:MAX_LINE_BYTES].encode("utf-8", "surrogatepass")
    cut = MAX_LINE_BYTES
    # Back off from the middle of a character: its continuation bytes are 0b10xxxxxx.
    while cut < len(head) and head[cut] & 0xC0 == 0x80:
        cut -= 1
    return head[:cut].decode("utf-8", "surrogatepass").rstrip()


def _human_size(size: int) -> str:
    """`64 KiB`, `48.5 MiB`: rounded up, so a size just over a limit never reads as the limit."""
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            tenths = -(-size * 10 // scale)
            return f"{tenths // 10} {unit}" if tenths % 10 == 0 else f"{tenths / 10:.1f} {unit}"
    return f"{size} bytes"


_BLANK, _DATE, _TAGS, _AUTHORS, _ARXIV, _TEXT = Kind.BLANK, Kind.DATE, Kind.TAGS, Kind.AUTHORS, Kind.ARXIV, Kind.TEXT


class _Parser:
    """The non-blank lines as three parallel lists: line numbers, stripped texts and kinds."""

    def __init__(
        self,
        numbers: list[int],
        texts: list[str],
        kinds: list[Kind],
        source: str,
        problems: list[Problem],
        starts: list[int] | None = None,
        stamp: Stamp | None = None,
    ) -> None:
        self.numbers = numbers
        self.texts = texts
        # Two sentinels past the end, so looking ahead needs no bounds checks.
        self.kinds: list[Kind | None] = [*kinds, None, None]
        self.count = len(texts)
        self.source = source
        self.starts = starts
        self.stamp = stamp
        # The problems found while splitting lines; run() sorts them in with its own.
        self.result = ParseResult(problems=problems)
        self.day: date | None = None
        # The valid date header no entry has been read under yet, and the last invalid one
        # (indices into the lists).
        self.header: int | None = None
        self.bad_header: int | None = None
        self.orphans: list[int] = []

    def starts_entry(self, i: int) -> bool:
        """A title line: text followed by an authors line (an own arXiv line may sit between)."""
        kinds = self.kinds
        if kinds[i] is not _TEXT or len(self.texts[i]) > MAX_TITLE:
            return False
        after = kinds[i + 1]
        return after is _AUTHORS or (after is _ARXIV and kinds[i + 2] is _AUTHORS)

    def run(self) -> ParseResult:
        i = 0
        kinds, texts, count = self.kinds, self.texts, self.count
        starts_entry = self.starts_entry
        # After a date header or a tags line, the next line is a title even without authors.
        at_boundary = False
        while i < count:
            kind = kinds[i]
            if kind is _DATE:
                self.flush_orphans()
                self.flush_header()
                self.day = parse_date(texts[i])
                if self.day is None:
                    self.problem(i, f"not a valid date: {texts[i]!r}")
                    self.bad_header = i
                else:
                    self.header = i
                at_boundary = True
                i += 1
            elif starts_entry(i) or (at_boundary and (kind is _TEXT or kind is _ARXIV)):
                self.flush_orphans()
                i, closed = self.read_entry(i)
                at_boundary = closed
            else:
                self.orphans.append(i)
                at_boundary = kind is _TAGS
                i += 1
        self.flush_orphans()
        self.flush_header()
        self.result.problems.sort(key=lambda problem: problem.line)
        return self.result

    def read_entry(self, start: int) -> tuple[int, bool]:
        """Read the entry whose title is at `start`; return the next index and whether a tags line closed it."""
        kinds, texts, count = self.kinds, self.texts, self.count
        title = texts[start]
        i = start + 1
        arxiv = ""
        if kinds[i] is _ARXIV and kinds[i + 1] is _AUTHORS:
            arxiv = own_arxiv_id(texts[i])
            i += 1
        authors: tuple[str, ...] = ()
        if kinds[i] is _AUTHORS:
            authors = parse_authors(texts[i])
            i += 1
        else:
            self.problem(start, f"entry {shorten(title, QUOTED)!r} has no authors line")
        if not arxiv and kinds[i] is _ARXIV:
            arxiv = own_arxiv_id(texts[i])
            i += 1
        body_start = i
        tags: tuple[str, ...] = ()
        closed = False
        starts_entry = self.starts_entry
        while i < count:
            kind = kinds[i]
            if kind is _TAGS:
                break
            if kind is _DATE or (kind is _TEXT and starts_entry(i)):
                break
            i += 1
        body = texts[body_start:i]
        if i < count and kinds[i] is _TAGS:
            tags = parse_tags(texts[i])
            closed = True
            i += 1
        last = self.numbers[i - 1]
        if not closed:
            self.problem(start, f"entry {shorten(title, QUOTED)!r} has no #tags line", end=last)
        if self.day is None:
            if self.bad_header is not None:
                where = f"is under an invalid date header (line {self.numbers[self.bad_header]})"
            else:
                where = "comes before any date header"
            self.problem(start, f"entry {shorten(title, QUOTED)!r} {where}; skipped", end=last)
            return i, closed
        self.header = None
        # An ASCII line has no Hangul: most abstract lines need no regular expression.
        first_korean = next((n for n, text in enumerate(body) if not text.isascii() and has_hangul(text)), len(body))
        abstract = "\n".join(body[:first_korean])
        commentary = "\n".join(body[first_korean:])
        # A URL never spans lines and always has "://": only such lines are searched for links.
        linked = "\n".join([text for text in (title, *body) if "://" in text])
        links = tuple(extract_links(linked)) if linked else ()
        line = self.numbers[start]
        starts = self.starts
        self.result.entries.append(
            Entry(
                id=entry_id(title),
                date=self.day,
                title=title,
                tags=tags,
                source=self.source,
                line=line,
                end_line=last,
                arxiv_id=arxiv,
                start=starts[line - 1] if starts else 0,
                end=starts[last] if starts else 0,
                stamp=self.stamp,
                attached=Details(authors, abstract, commentary, links),
            )
        )
        return i, closed

    def problem(self, i: int, message: str, end: int = 0) -> None:
        number = self.numbers[i]
        self.result.problems.append(Problem(self.source, number, message, end or number))

    def flush_header(self) -> None:
        """Report a date header that no entry followed before the next header or the end."""
        if self.header is not None:
            self.problem(self.header, f"date header {self.texts[self.header]!r} has no entries under it")
            self.header = None

    def flush_orphans(self) -> None:
        """Report each run of lines that belongs to no entry, so nothing is dropped silently."""
        if not self.orphans:
            return
        first, last = self.orphans[0], self.orphans[-1]
        count = len(self.orphans)
        what = "line" if count == 1 else f"{count} lines"
        self.problem(first, f"{what} outside any entry: {shorten(self.texts[first], QUOTED)!r}", end=self.numbers[last])
        self.orphans = []
