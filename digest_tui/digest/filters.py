"""Which entries the list shows: filters by date, tag, search, read and bookmark state, and the sort."""

from __future__ import annotations

import calendar
from collections.abc import Container, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import compress
from operator import attrgetter, not_
from typing import Literal, get_args

from digest_tui.digest.library import Library
from digest_tui.digest.query import Marks, QueryMarks, cached_query, run_query
from digest_tui.digest.search import SearchIndex, within

Sort = Literal["date", "title"]
SORTS: tuple[Sort, ...] = get_args(Sort)


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

    @property
    def date_key(self) -> tuple[int, ...] | None:
        """(year,), (year, month) or (year, month, day) of the chosen date; None when no date."""
        key = tuple(n for n in (self.year, self.month, self.day) if n)
        return key or None

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
    index: SearchIndex | None,
    flt: Filter,
    read: Container[str] = frozenset(),
    bookmarked: Container[str] = frozenset(),
    watched: Container[int] = frozenset(),
    marks: QueryMarks | None = None,
) -> list[int]:
    """Indices into library.entries of the entries `flt` lets through, in its sort order.

    Each part narrows with an index rather than a look at every entry: a date is a run of
    the newest-first entries, a tag has its list of entries, a query (digest.query) the search
    index (which only a filter with a query needs). `marks` answer the query's is: and note:
    terms; without them, `read`, `bookmarked` and `watched` do, and no entry has a note.
    """
    entries = library.entries
    chosen: Sequence[int] = range(len(entries))
    if flt.year is not None:
        run = _date_run(library, flt)
        if run is None:  # a day without a month, or no such date
            chosen = [i for i in chosen if _on_date(entries[i].date, flt)]
        else:
            chosen = run
    if flt.tag is not None:
        chosen = within(library.by_tag.get(flt.tag, []), chosen)
    if flt.query.strip():
        if index is None:
            raise ValueError("a filter with a query needs the search index")
        # Parsed once per text: a keystroke's search and its highlighting share the parse.
        query = cached_query(flt.query)
        chosen = run_query(query, library, index, marks or Marks(read, bookmarked, watched=watched), among=chosen)
    ids = map(attrgetter("id"), map(entries.__getitem__, chosen))
    if flt.unread_only and flt.bookmarked_only:
        chosen = [i for i in chosen if entries[i].id not in read and entries[i].id in bookmarked]
    elif flt.unread_only:
        chosen = list(compress(chosen, map(not_, map(read.__contains__, ids))))
    elif flt.bookmarked_only:
        chosen = list(compress(chosen, map(bookmarked.__contains__, ids)))
    if flt.watched_only:
        chosen = list(compress(chosen, map(watched.__contains__, chosen)))
    if flt.sort == "title":
        return sorted(chosen, key=library.title_rank.__getitem__)
    return list(chosen)


def _on_date(d: date, flt: Filter) -> bool:
    return d.year == flt.year and (not flt.month or d.month == flt.month) and (not flt.day or d.day == flt.day)


def _date_run(library: Library, flt: Filter) -> range | None:
    """The positions of the entries of the filter's year, month or day."""
    year, month, day = flt.year, flt.month, flt.day
    if year is None:
        return None
    try:
        if not month:
            if day:
                return None
            return library.date_range(date(year, 1, 1), date(year, 12, 31))
        if not day:
            last = calendar.monthrange(year, month)[1]
            return library.date_range(date(year, month, 1), date(year, month, last))
        return library.date_range(date(year, month, day), date(year, month, day))
    except (ValueError, OverflowError, calendar.IllegalMonthError, TypeError):
        return None
