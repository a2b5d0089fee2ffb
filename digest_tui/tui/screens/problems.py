"""The problems screen: every `file:line: message` found while reading the digests."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from digest_tui.digest.model import Problem
from digest_tui.text.sanitize import clean_line
from digest_tui.text.wording import plural

INDENT = "  "
"""Rows after the first of a wrapped line start here, so each problem reads as one."""


class WrappedLines(ScrollView, can_focus=True):
    """Lines of text wrapped to the width, drawn a screenful at a time: thousands of
    problems cost one widget and a list of rows, re-cut when the width changes."""

    DEFAULT_CSS = """
    WrappedLines {
        background: $surface;
        color: $text;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        &:focus {
            background-tint: $foreground 5%;
        }
    }
    """

    def __init__(self, lines: Sequence[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines: list[str] = [clean_line(line) for line in lines]
        self.rows: list[str] = []
        self._wrapped_at = -1

    def on_resize(self) -> None:
        self._wrap(self.scrollable_content_region.width)

    def _wrap(self, width: int) -> None:
        if width > 0 and width != self._wrapped_at:
            self._wrapped_at = width
            self.rows = [row for line in self.lines for row in wrap_line(line, width)]
            self.virtual_size = Size(width, len(self.rows))
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        # The first frame is drawn before the Resize event arrives: cut the rows here too.
        self._wrap(width)
        position = int(self.scroll_y) + y
        row = self.rows[position] if position < len(self.rows) else ""
        return Strip([Segment(row, self.rich_style)]).crop_extend(0, width, self.rich_style)


def wrap_line(line: str, width: int) -> list[str]:
    """`line` cut into rows of at most `width` cells, at spaces where it can be; rows after
    the first start with INDENT."""
    if cell_len(line) <= width:
        return [line]
    rows: list[str] = []
    rest, room, prefix = line, width, ""
    while cell_len(rest) > room:
        cut = _fitting(rest, room)
        if rest[cut] != " " and (space := rest.rfind(" ", 0, cut)) > 0:
            cut = space + 1
        rows.append(prefix + rest[:cut].rstrip(" "))
        rest = rest[cut:].lstrip(" ")
        prefix = INDENT if width > 2 * len(INDENT) else ""
        room = width - len(prefix)
    if rest:
        rows.append(prefix + rest)
    return rows


def _fitting(text: str, room: int) -> int:
    """How many characters of `text` fill at most `room` cells (at least one, so a row
    always moves on, even past a wide character in a one-cell column)."""
    used = 0
    for index, char in enumerate(text):
        used += get_character_cell_size(char)
        if used > room:
            return max(index, 1)
    return len(text)


class ProblemsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,p", "dismiss", "Close")]

    def __init__(self, problems: Sequence[Problem], notes: Sequence[Problem]) -> None:
        super().__init__()
        self.problems = problems
        self.notes = notes

    def compose(self):
        count = len(self.problems)
        title = plural(count, "problem")
        if self.notes:
            title += f", {plural(len(self.notes), 'note')}"
        yield Static(Text(title + "   (esc closes)", style="bold"), id="problems-title")
        lines = [str(p) for p in self.problems] or ["No problems: every line was read."]
        if self.notes:
            lines += [""] + [f"{n.source}:{n.line}: note: {n.message}" for n in self.notes]
        yield WrappedLines(lines, id="problems-log")

    async def action_dismiss(self, result: object = None) -> None:
        self.dismiss(None)
