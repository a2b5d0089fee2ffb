"""The data model: entries of a digest and the problems found while reading them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def has_hangul(text: str) -> bool:
    return HANGUL.search(text) is not None


@dataclass(frozen=True, slots=True)
class Entry:
    """One paper (or blog post) of a digest, exactly as the digest gives it."""

    id: str
    date: date
    title: str
    authors: tuple[str, ...]
    abstract: str
    commentary: str
    tags: tuple[str, ...]
    links: tuple[str, ...]
    source: str
    line: int
    end_line: int
    arxiv_id: str = ""
    """The arXiv id the entry names as its own (a line under its title or authors)."""

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
