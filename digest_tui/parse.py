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

from digest_tui.links import extract_links, own_arxiv_id
from digest_tui.model import Entry, Problem, has_hangul

KOREAN_DATE = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
TAG = re.compile(r"#[^\s#]+")
AUTHORS = re.compile(r"\((.*)\)")
# A title is a line, not a paragraph: abstracts run to hundreds of characters.
MAX_TITLE = 300


class Kind(Enum):
    BLANK = "blank"
    DATE = "date"
    TAGS = "tags"
    AUTHORS = "authors"
    ARXIV = "arxiv"
    TEXT = "text"


@dataclass(slots=True)
class Line:
    number: int
    text: str
    kind: Kind


@dataclass(slots=True)
class ParseResult:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def entry_id(title: str) -> str:
    """A stable id for a paper: the hash of its normalised title."""
    normal = " ".join(re.split(r"[\W_]+", unicodedata.normalize("NFKC", title).casefold())).strip()
    return hashlib.sha1((normal or title).encode("utf-8", "surrogatepass")).hexdigest()[:12]


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF or CR only, so line numbers match what an editor shows."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return re.split(r"\r\n|\r|\n", text)


def classify(text: str) -> Kind:
    stripped = text.strip()
    if not stripped:
        return Kind.BLANK
    if parse_date(stripped) is not None or _looks_like_date(stripped):
        return Kind.DATE
    if TAG.sub("", stripped).strip() == "":
        return Kind.TAGS
    if _is_authors(stripped):
        return Kind.AUTHORS
    if own_arxiv_id(stripped):
        return Kind.ARXIV
    return Kind.TEXT


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
    return tuple(name.strip() for name in inner.split(",") if name.strip())


def parse_tags(stripped: str) -> tuple[str, ...]:
    tags: list[str] = []
    for tag in TAG.findall(stripped):
        if tag[1:] not in tags:
            tags.append(tag[1:])
    return tuple(tags)


def parse(text: str, source: str = "<text>") -> ParseResult:
    """Read every entry of a digest. Each non-blank line ends in an entry or a problem."""
    lines = [Line(n, t, classify(t)) for n, t in enumerate(split_lines(text), start=1)]
    return _Parser([ln for ln in lines if ln.kind is not Kind.BLANK], source).run()


class _Parser:
    def __init__(self, lines: list[Line], source: str) -> None:
        self.lines = lines
        self.source = source
        self.result = ParseResult()
        self.day: date | None = None
        # The valid date header no entry has been read under yet, and the last invalid one.
        self.header: Line | None = None
        self.bad_header: Line | None = None
        self.orphans: list[Line] = []

    def kind(self, i: int) -> Kind | None:
        return self.lines[i].kind if i < len(self.lines) else None

    def starts_entry(self, i: int) -> bool:
        """A title line: text followed by an authors line (an own arXiv line may sit between)."""
        line = self.lines[i]
        if line.kind is not Kind.TEXT or len(line.text.strip()) > MAX_TITLE:
            return False
        after = self.kind(i + 1)
        return after is Kind.AUTHORS or (after is Kind.ARXIV and self.kind(i + 2) is Kind.AUTHORS)

    def run(self) -> ParseResult:
        i = 0
        # After a date header or a tags line, the next line is a title even without authors.
        at_boundary = False
        while i < len(self.lines):
            line = self.lines[i]
            if line.kind is Kind.DATE:
                self.flush_orphans()
                self.flush_header()
                self.day = parse_date(line.text.strip())
                if self.day is None:
                    self.problem(line, f"not a valid date: {line.text.strip()!r}")
                    self.bad_header = line
                else:
                    self.header = line
                at_boundary = True
                i += 1
            elif self.starts_entry(i) or (at_boundary and line.kind in (Kind.TEXT, Kind.ARXIV)):
                self.flush_orphans()
                i, closed = self.read_entry(i)
                at_boundary = closed
            else:
                self.orphans.append(line)
                at_boundary = line.kind is Kind.TAGS
                i += 1
        self.flush_orphans()
        self.flush_header()
        self.result.problems.sort(key=lambda problem: problem.line)
        return self.result

    def read_entry(self, start: int) -> tuple[int, bool]:
        """Read the entry whose title is at `start`; return the next index and whether a tags line closed it."""
        title_line = self.lines[start]
        title = title_line.text.strip()
        i = start + 1
        arxiv = ""
        if self.kind(i) is Kind.ARXIV and self.kind(i + 1) is Kind.AUTHORS:
            arxiv = own_arxiv_id(self.lines[i].text.strip())
            i += 1
        authors: tuple[str, ...] = ()
        if self.kind(i) is Kind.AUTHORS:
            authors = parse_authors(self.lines[i].text.strip())
            i += 1
        else:
            self.problem(title_line, f"entry {_short(title)!r} has no authors line")
        if not arxiv and self.kind(i) is Kind.ARXIV:
            arxiv = own_arxiv_id(self.lines[i].text.strip())
            i += 1
        body: list[str] = []
        tags: tuple[str, ...] = ()
        closed = False
        while i < len(self.lines):
            kind = self.kind(i)
            if kind is Kind.TAGS:
                tags = parse_tags(self.lines[i].text.strip())
                closed = True
                i += 1
                break
            if kind is Kind.DATE or self.starts_entry(i):
                break
            body.append(self.lines[i].text.strip())
            i += 1
        last = self.lines[i - 1]
        if not closed:
            self.problem(title_line, f"entry {_short(title)!r} has no #tags line", end=last.number)
        if self.day is None:
            if self.bad_header is not None:
                where = f"is under an invalid date header (line {self.bad_header.number})"
            else:
                where = "comes before any date header"
            self.problem(title_line, f"entry {_short(title)!r} {where}; skipped", end=last.number)
            return i, closed
        self.header = None
        first_korean = next((n for n, text in enumerate(body) if has_hangul(text)), len(body))
        abstract = "\n".join(body[:first_korean])
        commentary = "\n".join(body[first_korean:])
        all_text = "\n".join([title, *body])
        self.result.entries.append(
            Entry(
                id=entry_id(title),
                date=self.day,
                title=title,
                authors=authors,
                abstract=abstract,
                commentary=commentary,
                tags=tags,
                links=tuple(extract_links(all_text)),
                source=self.source,
                line=title_line.number,
                end_line=last.number,
                arxiv_id=arxiv,
            )
        )
        return i, closed

    def problem(self, line: Line, message: str, end: int = 0) -> None:
        self.result.problems.append(Problem(self.source, line.number, message, end or line.number))

    def flush_header(self) -> None:
        """Report a date header that no entry followed before the next header or the end."""
        if self.header is not None:
            self.problem(self.header, f"date header {self.header.text.strip()!r} has no entries under it")
            self.header = None

    def flush_orphans(self) -> None:
        """Report each run of lines that belongs to no entry, so nothing is dropped silently."""
        if not self.orphans:
            return
        first, last = self.orphans[0], self.orphans[-1]
        count = len(self.orphans)
        what = "line" if count == 1 else f"{count} lines"
        self.problem(first, f"{what} outside any entry: {_short(first.text.strip())!r}", end=last.number)
        self.orphans = []


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
