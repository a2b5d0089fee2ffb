"""Which entries the list shows: filters by date, tag, search, read and bookmark state, and the sort."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, replace

from digest_tui.library import Library
from digest_tui.search import SearchIndex

SORTS = ("date", "title")


@dataclass(frozen=True)
class Filter:
    """What the user narrowed the list to. Every part combines with the others."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    tag: str | None = None
    query: str = ""
    unread_only: bool = False
    bookmarked_only: bool = False
    watched_only: bool = False
    sort: str = "date"

    def with_date(self, year: int | None, month: int | None = None, day: int | None = None) -> Filter:
        return replace(self, year=year, month=month, day=day)

    def describe(self) -> str:
        """A short human description, for the header: '2024-08 · #llm · "query" · unread'."""
        parts: list[str] = []
        if self.year:
            parts.append("-".join(f"{n:02d}" if i else str(n) for i, n in enumerate((self.year, self.month, self.day)) if n))
        if self.tag:
            parts.append(f"#{self.tag}")
        if self.query:
            parts.append(f'"{self.query}"')
        if self.unread_only:
            parts.append("unread")
        if self.bookmarked_only:
            parts.append("bookmarked")
        if self.watched_only:
            parts.append("watched")
        return " · ".join(parts)

    @property
    def narrows(self) -> bool:
        return bool(self.describe())


def select(
    library: Library,
    index: SearchIndex,
    flt: Filter,
    read: Container[str] = frozenset(),
    bookmarked: Container[str] = frozenset(),
    watched: Container[int] = frozenset(),
) -> list[int]:
    """Indices into library.entries of the entries `flt` lets through, in its sort order."""
    entries = library.entries
    chosen = index.search(flt.query) if flt.query.strip() else range(len(entries))
    result: list[int] = []
    for i in chosen:
        entry = entries[i]
        if flt.year is not None:
            d = entry.date
            if d.year != flt.year or (flt.month and d.month != flt.month) or (flt.day and d.day != flt.day):
                continue
        if flt.tag is not None and flt.tag not in entry.tags:
            continue
        if flt.unread_only and entry.id in read:
            continue
        if flt.bookmarked_only and entry.id not in bookmarked:
            continue
        if flt.watched_only and i not in watched:
            continue
        result.append(i)
    if flt.sort == "title":
        result.sort(key=lambda i: entries[i].title.casefold())
    return result
