"""The watch list: authors and keywords from config.toml whose entries stand out."""

from __future__ import annotations

from dataclasses import dataclass

from digest_tui.digest.library import Library
from digest_tui.digest.search import SearchIndex, fold


@dataclass(frozen=True)
class WatchList:
    authors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, authors: list[str], keywords: list[str]) -> WatchList:
        return cls(tuple(fold(a) for a in authors if a.strip()), tuple(k for k in keywords if k.strip()))

    def __bool__(self) -> bool:
        return bool(self.authors or self.keywords)

    def matching(self, library: Library, index: SearchIndex) -> frozenset[int]:
        """Indices of entries with a watched author among their authors (case-insensitive, part
        of a name is enough), or a keyword anywhere (matched as the search box matches:
        case-insensitive, every word of the keyword)."""
        found: set[int] = set()
        for keyword in self.keywords:
            found.update(index.search(keyword))
        # Authors are read from disk when asked (see details.py): the search finds the few
        # entries whose text holds the name, and only their author lists are looked at.
        for author in self.authors:
            for position in index.search(author):
                if author in fold(", ".join(library.entries[position].authors)):
                    found.add(position)
        return frozenset(found)
