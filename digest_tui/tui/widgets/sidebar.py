"""The sidebar: saved filters by name, dates as year → month → day and tags by use, each with counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from operator import attrgetter
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeDataType, TreeNode

from digest_tui.digest.model import Entry
from digest_tui.session import DateKey, date_keys
from digest_tui.text.sanitize import clean_line

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

MOVE = Binding.Group("Move")
OPEN = Binding.Group("Open")

# The trees' own keys, shown in the footer while a tree has focus. Tree's own enter, space,
# arrows and shift+arrows keep working; `l` opens here rather than cycling the language.
TREE_KEYS = [
    Binding("enter", "select_cursor", "Choose", tooltip="List the entries of this date or tag (again: all entries)"),
    Binding("l", "open_node", "Open", tooltip="Open a year or a month; on a day or a tag, choose it", group=OPEN),
    Binding("j", "cursor_down", "Down", tooltip="Next line of the tree (↓ too)", group=MOVE),
    Binding("k", "cursor_up", "Up", tooltip="Previous line of the tree (↑ too)", group=MOVE),
]
DATE_KEYS = [Binding("space", "toggle_node", "Open/close", tooltip="Open or close a year or a month", group=OPEN)]
TAG_KEYS = [Binding("l", "open_node", "Choose", tooltip="Choose the tag (as enter)", show=False)]

SIDEBAR_NOTE = (
    "tab reaches the sidebar. In Dates, “Aug  27 (26)” means 27 entries, 26 of them unread. "
    "space or l opens a year or a month; enter lists its entries, and enter again lists all."
)


class SidebarTree(Tree[TreeDataType]):
    """A tree of the sidebar: j/k move, l opens, enter chooses (the app filters the list)."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [*TREE_KEYS]

    def action_open_node(self) -> None:
        """Open the node under the cursor; on one that is open already or cannot open, choose it."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            node.expand()
        else:
            self.action_select_cursor()


CHOSEN_MARK = " ✓"


class DateTree(SidebarTree[DateKey]):
    """Year → month → day, each labelled `name  entries (unread)`; the chosen one marked ✓."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [*DATE_KEYS]
    chosen: DateKey | None = None
    unread: Counter[DateKey] = Counter()

    def fill(self, entries: Iterable[Entry], unread: Counter[DateKey]) -> None:
        self.unread = unread
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
        # Years of digests are thousands of days: a month's days are made when it is opened.
        self.unopened: dict[DateKey, list[DateKey]] = {}
        years = children.get((), [])
        for year in years:
            year_node = self.root.add(self.label(year, unread), data=year, expand=year == years[0])
            self.nodes_by_key[year] = year_node
            for month in children[year]:
                self.nodes_by_key[month] = year_node.add(self.label(month, unread), data=month)
                self.unopened[month] = children[month]

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[DateKey]) -> None:
        node = event.node
        days = self.unopened.pop(node.data, None) if node.data is not None else None
        for day in days or ():
            self.nodes_by_key[day] = node.add_leaf(self.label(day, self.unread), data=day)

    def label(self, key: DateKey, unread: Counter[DateKey]) -> Text:
        name = str(key[0]) if len(key) == 1 else MONTHS[key[1] - 1] if len(key) == 2 else f"{key[2]:02d}"
        text = Text(name, style="bold reverse" if key == self.chosen else "")
        text.append(f"  {self.totals[key]}", style="dim")
        if unread[key]:
            text.append(f" ({unread[key]})", style="bold")
        if key == self.chosen:
            text.append(CHOSEN_MARK, style="bold")
        return text

    def update_counts(self, keys: Iterable[DateKey], unread: Counter[DateKey]) -> None:
        self.unread = unread
        for key in keys:
            node = self.nodes_by_key.get(key)
            if node is not None:
                node.set_label(self.label(key, unread))

    def update_all_counts(self, unread: Counter[DateKey]) -> None:
        self.update_counts(list(self.nodes_by_key), unread)

    def show_chosen(self, key: DateKey | None) -> None:
        """Mark the date the list is filtered by (None: no date), wherever it was chosen."""
        if key == self.chosen:
            return
        old, self.chosen = self.chosen, key
        self.update_counts([k for k in (old, key) if k is not None], self.unread)


class TagTree(SidebarTree[str]):
    """Tags, most used first, labelled `#tag  count`; the chosen one marked ✓."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [*TAG_KEYS]
    chosen: str | None = None
    # Replaced (never changed in place) by fill().
    counts: dict[str, int] = {}
    nodes_by_tag: dict[str, TreeNode[str]] = {}

    def fill(self, counts: list[tuple[str, int]]) -> None:
        self.clear()
        self.counts = dict(counts)
        self.nodes_by_tag = {tag: self.root.add_leaf(self.label(tag), data=tag) for tag, _ in counts}

    def label(self, tag: str) -> Text:
        chosen = tag == self.chosen
        text = Text(clean_line("#" + tag), style="bold reverse" if chosen else "")
        text.append(f"  {self.counts.get(tag, 0)}", style="dim")
        if chosen:
            text.append(CHOSEN_MARK, style="bold")
        return text

    def show_chosen(self, tag: str | None) -> None:
        """Mark the tag the list is filtered by (None: no tag), wherever it was chosen."""
        if tag == self.chosen:
            return
        old, self.chosen = self.chosen, tag
        for name in (old, tag):
            node = self.nodes_by_tag.get(name) if name is not None else None
            if name is not None and node is not None:
                node.set_label(self.label(name))


class FilterTree(SidebarTree[str]):
    """The saved filters of config.toml's [filters], by name; choosing one searches its query."""

    def fill(self, filters: dict[str, str]) -> None:
        self.clear()
        for name, query in filters.items():
            label = Text(clean_line(name), style="bold")
            label.append(f"  {clean_line(query)}", style="dim")
            self.root.add_leaf(label, data=name)


class Sidebar(Vertical):
    """Filters (only when config.toml saves some), Dates and Tags."""

    def __init__(self, filters: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.filters = filters or {}

    def compose(self):
        if self.filters:
            saved = FilterTree("Filters", id="filters")
            saved.show_root = False
            saved.fill(self.filters)
            yield Static("Filters", classes="sidebar-heading")
            yield saved
        dates = DateTree("Dates", id="dates")
        dates.show_root = False
        dates.auto_expand = False
        tags = TagTree("Tags", id="tags")
        tags.show_root = False
        yield Static("Dates", classes="sidebar-heading")
        yield dates
        yield Static("Tags", classes="sidebar-heading")
        yield tags
