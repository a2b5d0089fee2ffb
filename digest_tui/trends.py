"""How often tags occur over time: entries per month (or week) across the whole archive."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from digest_tui.library import Library
from digest_tui.model import Entry


def month_number(d: date) -> int:
    return d.year * 12 + d.month - 1


def week_number(d: date) -> int:
    return d.toordinal() // 7


PERIODS = {"month": month_number, "week": week_number}


def counts_over_time(entries: Iterable[Entry], first: date, last: date, period: str = "month") -> list[int]:
    """Entries per period from `first` to `last` inclusive, empty periods as 0."""
    bucket = PERIODS[period]
    start = bucket(first)
    counts = [0] * (bucket(last) - start + 1)
    for entry in entries:
        position = bucket(entry.date) - start
        if 0 <= position < len(counts):
            counts[position] += 1
    return counts


def tag_series(library: Library, tags: Iterable[str], period: str = "month") -> dict[str, list[int]]:
    """For each tag, its entries per period across the archive's whole span."""
    if not library.entries:
        return {tag: [] for tag in tags}
    first, last = library.entries[-1].date, library.entries[0].date
    return {
        tag: counts_over_time((library.entries[i] for i in library.by_tag.get(tag, ())), first, last, period)
        for tag in tags
    }


def top_tags(library: Library, count: int = 10) -> list[str]:
    return [tag for tag, _ in library.tag_counts()[:count]]
