"""The reader's keys: a contract the README lists and the tests drive, and the footer that
shows them."""

from __future__ import annotations

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer


def key(keys: str, action: str, description: str, tooltip: str = "", show: bool = False) -> Binding:
    """A binding whose tooltip (shown by the help screen) defaults to its description."""
    return Binding(keys, action, description, show=show, tooltip=tooltip or description, id=action.split("(")[0] or None)


READER_BINDINGS = [
    key("enter", "focus_detail", "Read", "Focus the detail pane"),
    key("escape", "go_back", "Back", "Back to the list / clear the search or filter"),
    key("slash", "search", "Search", "Search as you type (esc clears)", show=True),
    key("n", "next_unread", "Next unread"),
    key("N", "previous_unread", "Previous unread"),
    key("u", "toggle_unread_only", "Unread only", show=True),
    key("B", "toggle_bookmarked_only", "Bookmarked only"),
    key("b", "toggle_bookmark", "Bookmark", show=True),
    key("e", "edit_note", "Note", "Edit the bookmark's note"),
    key("r", "toggle_read", "Read/unread", "Toggle read", show=True),
    key("R", "mark_all_read", "Mark all read", "Mark every listed entry as read"),
    key("o", "open_arxiv", "arXiv", "Open the entry's arXiv page", show=True),
    key("L", "links", "Links", "List the entry's links"),
    key("y", "copy_link", "Copy link", "Copy the entry's arXiv link"),
    key("c", "copy_citation", "Cite", "Copy the citation (configured format)", show=True),
    key("C", "choose_citation", "Cite as…", "Choose a citation format and copy"),
    key("s", "cycle_sort", "Sort", "Cycle the sort: date, title"),
    key("w", "toggle_watched_only", "Watched only", "Only entries matching the watch list"),
    key("l", "cycle_language", "Language", "Commentary: both, Korean only, English only"),
    key("a", "toggle_authors", "Authors", "Show every author, or only the first three"),
    key("right_square_bracket", "related(1)", "Next related", "Highlight the next related entry"),
    key("left_square_bracket", "related(-1)", "Previous related", "Highlight the previous related entry"),
    key("backspace", "history_back", "Back in history", "Return to the entry you came from"),
    key("T", "trends", "Trends", "Top tags over time"),
    key("backslash", "toggle_sidebar", "Sidebar", "Hide or show the sidebar"),
    key("p", "problems", "Problems", "List the problems found in the digests"),
    key("question_mark", "help", "Help", show=True),
    key("q", "quit", "Quit", show=True),
]

# Not bindings of the app itself (the panes and Textual own them), listed on the help screen.
EVERYWHERE = [
    key("tab", "", "Next pane"),
    key("shift+tab", "", "Previous pane"),
    key("ctrl+p", "", "Command palette: jump to an entry by title, change the theme"),
]

# Hints a footer gives up last: the way to help, out of the app, or out of a dialog.
KEPT_HINTS = frozenset({"help", "quit", "dismiss", "cancel"})


class KeyFooter(Footer):
    """Textual's footer, except that a hint shows whole or not at all.

    Textual lays the hints out in one row and cuts the row at the edge (`r Read/unr`). Here the
    hints that do not fit give way from the right, the kept ones (KEPT_HINTS) last: a narrow
    terminal shows fewer hints, each one readable. Every screen with keys of its own yields one.
    """

    async def recompose(self) -> None:
        await super().recompose()
        self.fit_hints()

    def on_resize(self) -> None:
        self.fit_hints()

    def hints(self) -> list[list[Widget]]:
        """The hints in the order shown: a key, or a group of keys followed by its label."""
        # Footer's parts are told apart by their CSS type names, as its styles do.
        keys = set(self.query_children("FooterKey").exclude(".-command-palette"))
        groups = set(self.query_children("KeyGroup"))
        labels = set(self.query_children("FooterLabel"))
        hints: list[list[Widget]] = []
        for child in self.children:
            if child in labels and hints and hints[-1][0] in groups:
                hints[-1].append(child)
            elif child in keys or child in groups:
                hints.append([child])
        return hints

    def width_of(self, widget: Widget) -> int:
        """The columns `widget` takes in the row (its width is `auto`: its content decides)."""
        styles = widget.styles
        content = widget.get_content_width(self.size, self.app.size)
        return content + styles.gutter.width + styles.margin.left + styles.margin.right

    def fit_hints(self) -> None:
        if not self.is_attached or not self.size.width:
            return
        room = self.size.width - sum(self.width_of(key) for key in self.query_children(".-command-palette"))
        hints = self.hints()
        kept = [hint for hint in hints if self.action_of(hint) in KEPT_HINTS]
        shown: list[list[Widget]] = []
        for hint in kept + [hint for hint in hints if hint not in kept]:
            width = sum(self.width_of(widget) for widget in hint)
            if width > room:
                if hint not in kept:
                    break  # the others give way from the right, never leaving a gap
                continue
            room -= width
            shown.append(hint)
        for hint in hints:
            for widget in hint:
                widget.display = hint in shown

    @staticmethod
    def action_of(hint: list[Widget]) -> str:
        """The action of a single key's hint ("" for a group)."""
        return getattr(hint[0], "action", "")
