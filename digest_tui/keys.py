"""The reader's keys: a contract the README lists and the tests drive."""

from __future__ import annotations

from textual.binding import Binding


def key(keys: str, action: str, description: str, tooltip: str = "", show: bool = False) -> Binding:
    """A binding whose tooltip (shown by the help screen) defaults to its description."""
    return Binding(keys, action, description, show=show, tooltip=tooltip or description, id=action.split("(")[0] or None)


READER_BINDINGS = [
    key("enter", "focus_detail", "Read", "Focus the detail pane"),
    key("escape", "back", "Back", "Back to the list / clear the search or filter"),
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
