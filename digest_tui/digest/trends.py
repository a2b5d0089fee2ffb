"""How often tags occur over time: entries per month, over the months where the
archive has its entries (a few stray old entries are left out, and counted)."""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from digest_tui.digest.library import Library
from digest_tui.digest.model import Entry
from digest_tui.text.wording import plural


def month_number(d: date) -> int:
    return d.year * 12 + d.month - 1


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_date(month: int) -> date:
    """The first day of a month given by its `month_number`."""
    return date(month // 12, month % 12 + 1, 1)


def month_label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


# Where the chart starts. A few old entries far from the rest would stretch it over years
# of flat months and squeeze the months that matter into a few columns. An entry counts as
# stray, and the chart starts after it, when all of these hold for the month `start` that
# the chart would begin with:
#   - at least GAP_MONTHS empty months come right before `start` (a real break, not a
#     quiet month or two);
#   - the entries before `start` are at most a tenth of all of them (STRAY_SHARE);
#   - at least half of the months before `start`, counted from the oldest entry's month,
#     are empty (so a year of regular entries followed by a break stays on the chart).
# Of the months that qualify the latest wins; when none does the chart shows everything.
GAP_MONTHS = 6
STRAY_SHARE = 0.1


@dataclass(frozen=True)
class MonthRange:
    """The months a trend chart shows, `first` to `last` inclusive (as `month_number`s), and
    the entries older than `first` it leaves out."""

    first: int
    last: int
    left_out: int = 0
    oldest: int | None = None
    """The month of the oldest entry left out, if any."""

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    @property
    def start(self) -> date:
        return month_date(self.first)

    @property
    def end(self) -> date:
        """The last day of the last month."""
        year, month = divmod(self.last, 12)
        return date(year, month + 1, calendar.monthrange(year, month + 1)[1])

    @property
    def span(self) -> str:
        return f"{month_label(self.first)} to {month_label(self.last)}"

    @property
    def left_out_text(self) -> str:
        """`2 earlier entries not shown`, or nothing when everything is shown."""
        if not self.left_out:
            return ""
        return f"{plural(self.left_out, 'earlier entry', 'earlier entries')} not shown"

    @property
    def note(self) -> str:
        """`from 2023-03; 2 earlier entries not shown`, or nothing when everything is shown."""
        return f"from {month_label(self.first)}; {self.left_out_text}" if self.left_out else ""


def month_range(dates: Iterable[date]) -> MonthRange | None:
    """The months a trend chart of entries with these dates shows (see GAP_MONTHS above);
    None when there are no dates."""
    per_month = Counter(month_number(d) for d in dates)
    if not per_month:
        return None
    months = sorted(per_month)
    total = sum(per_month.values())
    oldest, last = months[0], months[-1]
    first, before = oldest, 0
    for position in range(1, len(months)):
        before += per_month[months[position - 1]]
        if before > total * STRAY_SHARE:
            break  # only more would be left out from here on
        start = months[position]
        gap = start - months[position - 1] - 1
        empty = (start - oldest) - position  # empty months before `start`
        if gap >= GAP_MONTHS and 2 * empty >= start - oldest:
            first = start
    left_out = sum(count for month, count in per_month.items() if month < first)
    return MonthRange(first, last, left_out, oldest if left_out else None)


_last_months: tuple[list[Entry], MonthRange | None] | None = None


def library_months(library: Library) -> MonthRange | None:
    """The months every trend chart of this library shows: the trends screen and the tag's
    sparkline over the list agree. (Kept for the last library asked about: the sparkline over
    the list asks again at every keystroke of a search.)"""
    global _last_months
    if _last_months is None or _last_months[0] is not library.entries:
        _last_months = (library.entries, month_range(entry.date for entry in library.entries))
    return _last_months[1]


def counts_over_time(entries: Iterable[Entry], first: date, last: date) -> list[int]:
    """Entries per month from `first` to `last` inclusive, empty months as 0."""
    start = month_number(first)
    counts = [0] * (month_number(last) - start + 1)
    for entry in entries:
        position = month_number(entry.date) - start
        if 0 <= position < len(counts):
            counts[position] += 1
    return counts


def tag_series(library: Library, tags: Iterable[str], months: MonthRange | None = None) -> dict[str, list[int]]:
    """For each tag, its entries per month over the library's chart months (`library_months`
    unless `months` is given)."""
    months = months or library_months(library)
    if months is None:
        return {tag: [] for tag in tags}
    return {
        tag: counts_over_time((library.entries[i] for i in library.by_tag.get(tag, ())), months.start, months.end)
        for tag in tags
    }


def top_tags(library: Library, count: int = 10) -> list[str]:
    return [tag for tag, _ in library.tag_counts()[:count]]


# -- drawing a chart: which months each column shows, and the axis under it ------------------


def column_months(months: int, width: int) -> list[range]:
    """The months (indices from 0) each of `width` columns shows: with room to spare a month
    takes several neighbouring columns, otherwise a column covers several months."""
    if months <= 0 or width <= 0:
        return []
    return [range(c * months // width, max(c * months // width + 1, (c + 1) * months // width)) for c in range(width)]


Count = TypeVar("Count", int, float)


def column_counts(counts: Sequence[Count], width: int) -> list[Count]:
    """`counts` per month spread over `width` columns, a column showing the largest count of
    its months."""
    return [max(counts[i] for i in months) for months in column_months(len(counts), width)]


def axis_line(months: MonthRange, width: int) -> str:
    """A line of `width` columns naming months under a chart drawn by `column_months`: each
    label starts at the first column showing its month, with a space between labels.

    The first month is named in full (2024-07) and Januaries by their year (2025); then, as
    many as fit, Julys, then Aprils and Octobers, by name; the other months only when every
    month's name fits. A month name is shown only after a label giving its year. When the
    next January comes too soon for the first month's full label, the first month is named
    short (Nov, then 2025) or not at all; too narrow for any year, the line is blank."""
    columns = column_months(months.months, width)
    starts: dict[int, int] = {}  # month index: the first column showing it
    for column, covered in enumerate(columns):
        for index in covered:
            starts.setdefault(index, column)
    if not starts:
        return " " * width
    first_year, first_name = divmod(months.first, 12)
    january = next((index for index in starts if index > 0 and (months.first + index) % 12 == 0), None)
    room = width if january is None else starts[january] - 1  # columns before the next January's label and its space
    room_for_all = width >= 4 * months.months  # every month's name and a space

    # (rank, column, text, the year it names or None, the year it needs named): lower ranks
    # are placed first
    labels = []
    for text, shows_year in ((month_label(months.first), first_year), (f"{first_year:04d}" if first_name == 0 else MONTH_NAMES[first_name], None)):
        if len(text) <= room:
            if shows_year is None and first_name == 0:
                shows_year = first_year
            labels.append((0, 0, text, shows_year, shows_year if shows_year is not None else first_year + 1))
            break
    for index, column in starts.items():
        year, name = divmod(months.first + index, 12)
        if index == 0:
            continue
        if name == 0:
            labels.append((1, column, f"{year:04d}", year, year))
        elif name == 6:
            labels.append((2, column, MONTH_NAMES[name], None, year))
        elif name in (3, 9):
            labels.append((3, column, MONTH_NAMES[name], None, year))
        elif room_for_all:
            labels.append((4, column, MONTH_NAMES[name], None, year))

    taken = [False] * width
    placed = []
    for label in sorted(labels):
        column, text = label[1:3]
        end = column + len(text)
        if end > width or any(taken[max(0, column - 1) : min(width, end + 1)]):
            continue
        taken[column:end] = [True] * len(text)
        placed.append(label)

    line = [" "] * width
    named = {label[3] for label in placed}
    year_given = None
    for rank, column, text, shows_year, needs in sorted(placed, key=lambda label: label[1]):
        if shows_year is not None:
            year_given = shows_year
        elif needs not in named or (rank != 0 and needs != year_given):
            continue  # no label says which year this month is in
        line[column : column + len(text)] = text
    return "".join(line)
