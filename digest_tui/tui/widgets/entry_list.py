"""The entry list: one line per entry, drawing only the rows on screen.

Like a log viewer, it holds row indices, not widgets, so 100,000 entries cost the same to
scroll, move through and re-filter as 100. A cursor move repaints the two rows it changes,
and rows are kept drawn, so a row drawn before costs a lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from digest_tui.digest.highlight import match_spans
from digest_tui.digest.model import Entry
from digest_tui.text.sanitize import clean_line
from digest_tui.tui.widgets.scroll_area import set_virtual_size

READ_MARK, UNREAD_MARK = " ", "●"
BOOKMARK_MARK = "★"
WATCH_MARK = "◆"
TAG_COLUMN = 30
ROWS_KEPT = 1024
"""Drawn rows kept: a few screens' worth, for moving and scrolling back and forth."""
ROW_PARTS = (
    "entry-list--cursor",
    "entry-list--unread",
    "entry-list--read",
    "entry-list--date",
    "entry-list--tags",
    "entry-list--bookmark",
    "entry-list--watch",
    "entry-list--match",
)


@dataclass(frozen=True)
class Highlights:
    """The folded words of the search to highlight in the rows' titles and tags."""

    title: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowMarks:
    """How one row is marked; the app supplies these from its state."""

    read: bool
    bookmarked: bool
    watched: bool = False


class EntryList(ScrollView, can_focus=True):
    """The entries the current filter lets through, newest first (or by title)."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Next entry", show=False),
        Binding("k,up", "cursor_up", "Previous entry", show=False),
        Binding("g,home", "first", "First entry", show=False),
        Binding("G,end", "last", "Last entry", show=False),
        Binding("space,pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
    ]

    COMPONENT_CLASSES = {*ROW_PARTS, "entry-list--empty"}

    # No repaint of its own: watch_cursor repaints the rows the move changes.
    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    class Highlighted(Message):
        """The cursor moved to another entry (None when the list is empty).

        `by_user` tells a move the user made (a key, a click) from one the program made (a
        new filter, a search, a reload, a jump): only the first may mark an entry read.
        """

        def __init__(self, entry: Entry | None, by_user: bool = False) -> None:
            super().__init__()
            self.entry = entry
            self.by_user = by_user

        def can_replace(self, message: Message) -> bool:
            # Holding `j` must not queue one detail render per row passed.
            return isinstance(message, EntryList.Highlighted)

    class Chosen(Message):
        """An entry was clicked or chosen with the keyboard."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, marks: Callable[[Entry], RowMarks], **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: Sequence[Entry] = ()
        self.rows: Sequence[int] = ()
        self.marks = marks
        self.empty_message = "No entries."
        self._user_move = False
        self.highlights = Highlights()
        self._rows: LRUCache[tuple, Strip] = LRUCache(ROWS_KEPT)
        """Drawn rows by what they show: entry, width, marks, whether the cursor is on it, the
        words highlighted and the colours (a new theme draws every row anew)."""

    # -- data -------------------------------------------------------------------------------

    def show(
        self,
        entries: Sequence[Entry],
        rows: Sequence[int],
        keep: Entry | None = None,
        empty_message: str = "No entries.",
        highlights: Highlights = Highlights(),
    ) -> None:
        """Show `rows` (indices into `entries`) with the search's words highlighted; keep the
        cursor on `keep` if it is still listed."""
        self.highlights = highlights
        same_entries = entries is self.entries
        if not same_entries:
            self._rows.clear()  # a re-read library may hold other text under the same ids
        # A new filter keeps the current entry: its index is looked for among the new rows
        # (a search in C), not each row's entry compared by id.
        kept = self.rows[self.cursor] if same_entries and keep is not None and keep is self.current else None
        self.entries = entries
        self.rows = rows
        self.empty_message = empty_message
        position = 0
        if keep is not None:
            fallback = min(self.cursor, max(len(rows) - 1, 0))
            position = self._position_of(keep, fallback) if kept is None else _index_in(rows, kept, fallback)
        set_virtual_size(self, Size(self.size.width, len(rows)))
        self.cursor = position
        self.refresh()

    def _position_of(self, entry: Entry, fallback: int) -> int:
        entries = self.entries
        # By id, not identity: a re-read library holds new objects for the same papers.
        for position, index in enumerate(self.rows):
            if entries[index].id == entry.id:
                return position
        return fallback

    @property
    def current(self) -> Entry | None:
        if 0 <= self.cursor < len(self.rows):
            return self.entries[self.rows[self.cursor]]
        return None

    def visible_entries(self) -> list[Entry]:
        return [self.entries[i] for i in self.rows]

    def move_to(self, entry: Entry) -> bool:
        position = self._position_of(entry, fallback=-1)
        if position >= 0:
            self.cursor = position
        return position >= 0

    def refresh_entry(self, entry: Entry) -> None:
        """Redraw the row of `entry` after its marks changed (they are part of the row's key in
        the kept rows, so the row is drawn anew)."""
        top = self.scroll_offset.y
        for position in range(top, min(top + self.size.height, len(self.rows))):
            if self.entries[self.rows[position]].id == entry.id:
                self.refresh_lines(position)

    # -- cursor -----------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        if top <= new < top + self.scrollable_content_region.height:
            # Only the rows the cursor leaves and lands on change.
            self.refresh_lines(old)
            self.refresh_lines(new)
        else:
            self.scroll_to_region(Region(0, new, 1, 1), animate=False, force=True)  # repaints all
        by_user, self._user_move = self._user_move, False
        self.post_message(self.Highlighted(self.current, by_user))

    def move_by_user(self, position: int) -> None:
        """Move the cursor because the user asked to (keys, clicks, next unread)."""
        self._user_move = True
        self.cursor = position

    def action_cursor_down(self) -> None:
        self.move_by_user(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_by_user(self.cursor - 1)

    def action_first(self) -> None:
        self.move_by_user(0)

    def action_last(self) -> None:
        self.move_by_user(len(self.rows) - 1)

    def action_page_down(self) -> None:
        self.move_by_user(self.cursor + max(self.size.height - 1, 1))

    def action_page_up(self) -> None:
        self.move_by_user(self.cursor - max(self.size.height - 1, 1))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        position = offset.y + int(self.scroll_y)
        if 0 <= position < len(self.rows):
            self.move_by_user(position)
            if event.chain >= 2 and self.current is not None:
                self.post_message(self.Chosen(self.current))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows))

    def _palette(self) -> tuple[object, ...]:
        """The list's colours and those of the rows' parts (Textual keeps both until the styles
        or the list change)."""
        return (self.visual_style, *(self.get_component_rich_style(name, partial=True) for name in ROW_PARTS))

    # -- drawing ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        # Not `size.width`: a vertical scrollbar takes the last column, and a row drawn under
        # it would lose its `…`.
        width = self.scrollable_content_region.width
        position = self.scroll_offset.y + y
        if not self.rows or position >= len(self.rows):
            return self._blank_line(y, width)
        entry = self.entries[self.rows[position]]
        marks = self.marks(entry)
        chosen = position == self.cursor
        key = (entry.id, width, marks, chosen, self.highlights, self._palette())
        strip = self._rows.get(key)
        if strip is None:
            strip = self._rows[key] = self.draw_row(entry, width, marks, chosen)
        return strip.apply_offsets(0, position)

    def _blank_line(self, y: int, width: int) -> Strip:
        """A line below the last row, or of the empty list, which says why it is empty."""
        base = self.rich_style
        if not self.rows:
            if y == 1:
                style = self.get_component_rich_style("entry-list--empty")
                return Strip([Segment(clean_line(self.empty_message)[: width * 2], style)]).crop_extend(0, width, base)
        return Strip.blank(width, base)

    def draw_row(self, entry: Entry, width: int, marks: RowMarks, chosen: bool) -> Strip:
        """One row as drawn, `chosen` when the cursor is on it (called only for rows not kept)."""
        base = self.rich_style
        text = self.render_row(entry, width, marks)
        text.stylize_before(base)
        if chosen:
            text.stylize(self.get_component_rich_style("entry-list--cursor", partial=True))
        return Strip(list(text.render(self.app.console))).crop_extend(0, width, base)

    def render_row(self, entry: Entry, width: int, marks: RowMarks) -> Text:
        """`●★◆ 2024-08-14  Title …  #tag #tag`, cut to fit `width`."""

        def style(name: str) -> Style:
            return self.get_component_rich_style(name, partial=True)

        row = Text(no_wrap=True, overflow="ellipsis", end="")
        row.append(READ_MARK if marks.read else UNREAD_MARK, style("entry-list--unread"))
        row.append(BOOKMARK_MARK if marks.bookmarked else " ", style("entry-list--bookmark"))
        row.append(WATCH_MARK if marks.watched else " ", style("entry-list--watch"))
        row.append(" ")
        row.append(entry.date.isoformat(), style("entry-list--date"))
        row.append("  ")
        room = max(width - cell_len(row.plain), 0)
        # Slice before measuring: a 100,000-character title must not cost 100,000 cells of work.
        title = Text(clean_line(entry.title[: room * 2 + 2]), style=style("entry-list--read" if marks.read else "entry-list--unread"))
        tags = Text(clean_line(" ".join("#" + tag for tag in entry.tags[:12])[: room * 2]), style=style("entry-list--tags"))
        self._mark(title, self.highlights.title)
        self._mark(tags, self.highlights.tag)
        title_room, tag_width = share_row(room, cell_len(title.plain), cell_len(tags.plain))
        title.truncate(title_room, overflow="ellipsis", pad=True)
        row.append_text(title)
        if tag_width:
            tags.truncate(tag_width, overflow="ellipsis")
            row.append("  ")
            row.append_text(tags)
        row.truncate(width, overflow="ellipsis", pad=True)
        return row

    def _mark(self, text: Text, needles: tuple[str, ...]) -> None:
        """Style the places in `text` where the search's words occur."""
        if needles:
            style = self.get_component_rich_style("entry-list--match", partial=True)
            for start, end in match_spans(text.plain, needles):
                text.stylize(style, start, end)


def _index_in(rows: Sequence[int], index: int, fallback: int) -> int:
    """The position of `index` in `rows`, or `fallback` when it is not there."""
    try:
        return rows.index(index)
    except ValueError:
        return fallback


def share_row(room: int, title: int, tags: int) -> tuple[int, int]:
    """Cells for the title and the tags of a row with `room` cells after its date, given the
    cells each would fill (two more go between them when tags are shown).

    Titles start in one column and tags end at the row's right edge, so both line up down the
    list whatever the width; the room between goes to whichever needs it. A title that wants
    it all still leaves the tags a share, and narrow lists show no tags.
    """
    if room < 40 or not tags:
        return room, 0
    share = min(room // 3, TAG_COLUMN)
    tag_width = min(tags, max(share, room - 2 - title))
    return room - 2 - tag_width, tag_width
