"""The data model: entries of a digest and the problems found while reading them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def has_hangul(text: str) -> bool:
    return HANGUL.search(text) is not None


@dataclass(frozen=True, slots=True)
class Stamp:
    """A file's size and modification time when it was looked at: while both stay, it is
    taken to hold what it held then."""

    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Details:
    """What only the detail pane, citations and exports read of an entry: kept with the entry
    when it was parsed here, else read from its file when asked (digest.details)."""

    authors: tuple[str, ...] = ()
    abstract: str = ""
    commentary: str = ""
    links: tuple[str, ...] = ()
    problem: str = ""
    """Why the details could not be read (the file changed or went away); then the abstract
    says so too, so that whoever shows it tells the reader."""


class Entry(NamedTuple):
    """One paper (or blog post) of a digest, exactly as the digest gives it.

    A list row, the sidebar and the filters read only the fields; authors, abstract,
    commentary and links are its Details, attached when the entry was parsed in this process
    and read back from bytes start..end of its file otherwise. A tuple: 100,000 of them are
    made at each start, and a frozen dataclass takes four times as long to make.
    """

    id: str
    date: date
    title: str
    tags: tuple[str, ...]
    source: str
    line: int
    end_line: int
    arxiv_id: str = ""
    """The arXiv id the entry names as its own (a line under its title or authors)."""
    start: int = 0
    """Where the entry's lines begin in its file, in bytes (0 and 0: not known)."""
    end: int = 0
    """Where they end: the byte after the last line's line end."""
    stamp: Stamp | None = None
    """The file's size and time when it was read: its details are read from it only while it
    still has them."""
    attached: Details | None = None

    def __eq__(self, other: object) -> bool:
        # The same paper at the same place of the same file: whether its details are
        # attached, and when the file was looked at, do not matter.
        return isinstance(other, Entry) and self[:_PLACED] == other[:_PLACED]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:_PLACED])

    @property
    def details(self) -> Details:
        if self.attached is not None:
            return self.attached
        from digest_tui.digest.details import details_of  # details reads files: imported when needed

        return details_of(self)

    @property
    def authors(self) -> tuple[str, ...]:
        return self.details.authors

    @property
    def abstract(self) -> str:
        return self.details.abstract

    @property
    def commentary(self) -> str:
        return self.details.commentary

    @property
    def links(self) -> tuple[str, ...]:
        return self.details.links

    @property
    def commentary_paragraphs(self) -> list[str]:
        return [p for p in self.commentary.split("\n") if p.strip()]

    @property
    def commentary_korean(self) -> list[str]:
        """The commentary up to its English translation."""
        return self._split_commentary()[0]

    @property
    def commentary_english(self) -> list[str]:
        """The English translation that follows the Korean commentary, if any."""
        return self._split_commentary()[1]

    def _split_commentary(self) -> tuple[list[str], list[str]]:
        paragraphs = self.commentary_paragraphs
        # The translation is the run of Hangul-free paragraphs after the last Korean one.
        last_korean = max((i for i, p in enumerate(paragraphs) if has_hangul(p)), default=-1)
        if last_korean < 0:
            return paragraphs, []
        return paragraphs[: last_korean + 1], paragraphs[last_korean + 1 :]


_PLACED = Entry._fields.index("stamp")
"""Entries compare by their fields up to the stamp."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in a source that could not be read as intended: `source:line: message`."""

    source: str
    line: int
    message: str
    end_line: int = 0
    """Last line the problem covers (0: just `line`)."""

    def __str__(self) -> str:
        # Problems about a whole file (missing, binary, too large) have no line to name.
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"
