"""The sidebar: dates as year → month → day and tags by use, each with counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from operator import attrgetter

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from digest_tui.model import Entry
from digest_tui.sanitize import clean_line

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

DateKey = tuple[int, ...]  # (year,), (year, month) or (year, month, day)


def date_keys(d: date) -> tuple[DateKey, DateKey, DateKey]:
    """The year, month and day nodes a date is counted under."""
    return (d.year,), (d.year, d.month), (d.year, d.month, d.day)


VIM_KEYS = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
]


class DateTree(Tree[DateKey]):
    """Year → month → day, each labelled `name  entries (unread)`."""

    BINDINGS = VIM_KEYS

    def fill(self, entries: Iterable[Entry], unread: Counter[DateKey]) -> None:
        # Entries are counted by day (one C-speed pass), then days summed into months and years.
        by_day = Counter(map(attrgetter("date"), entries))
        totals: Counter[DateKey] = Counter()
        children: dict[DateKey, list[DateKey]] = {}
        for day, count in sorted(by_day.items(), reverse=True):
            keys = date_keys(day)
            for parent, key in zip(((),) + keys[:2], keys):
                if key not in totals:
                    children.setdefault(parent, []).append(key)
                totals[key] += count
        self.totals = totals
        self.clear()
        self.nodes_by_key: dict[DateKey, TreeNode[DateKey]] = {}
        years = children.get((), [])
        for year in years:
            year_node = self.root.add(self.label(year, unread), data=year, expand=year == years[0])
            self.nodes_by_key[year] = year_node
            for month in children[year]:
                month_node = year_node.add(self.label(month, unread), data=month)
                self.nodes_by_key[month] = month_node
                for day in children[month]:
                    self.nodes_by_key[day] = month_node.add_leaf(self.label(day, unread), data=day)

    def label(self, key: DateKey, unread: Counter[DateKey]) -> Text:
        name = str(key[0]) if len(key) == 1 else MONTHS[key[1] - 1] if len(key) == 2 else f"{key[2]:02d}"
        text = Text(name)
        text.append(f"  {self.totals[key]}", style="dim")
        if unread[key]:
            text.append(f" ({unread[key]})", style="bold")
        return text

    def update_counts(self, keys: Iterable[DateKey], unread: Counter[DateKey]) -> None:
        for key in keys:
            node = self.nodes_by_key.get(key)
            if node is not None:
                node.set_label(self.label(key, unread))


class TagTree(Tree[str]):
    """Tags, most used first, labelled `#tag  count`."""

    BINDINGS = VIM_KEYS

    def fill(self, counts: list[tuple[str, int]]) -> None:
        self.clear()
        for tag, count in counts:
            label = Text(clean_line("#" + tag))
            label.append(f"  {count}", style="dim")
            self.root.add_leaf(label, data=tag)


class Sidebar(Vertical):
    def compose(self):
        dates = DateTree("Dates", id="dates")
        dates.show_root = False
        dates.auto_expand = False
        tags = TagTree("Tags", id="tags")
        tags.show_root = False
        yield dates
        yield tags
