"""The search box: an Input that walks earlier queries with up and down, and opens the query
cheat sheet when `?` is typed into it empty."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

from digest_tui.disk.history import SearchHistory

SEARCH_KEYS = [
    Binding("up", "older_query", "Earlier query", tooltip="In the search box: the query before (↓ the one after)", show=False),
    Binding("down", "newer_query", "Later query", tooltip="In the search box: the query after, then what you were typing", show=False),
]
CHEAT_SHEET_KEY = Binding("question_mark", "", "Search syntax", tooltip="In the empty search box: the search language on one screen")
"""Not a binding (the box takes `?` as the first character typed), listed on the help screen."""


class SearchBox(Input):
    """Search as you type; ↑/↓ walk the history, `?` in an empty box asks for the cheat sheet."""

    BINDINGS: ClassVar[list[BindingType]] = [*SEARCH_KEYS]

    class CheatSheetWanted(Message):
        """`?` was typed into the empty box: show the query language, not a search for `?`."""

    def __init__(self, history: SearchHistory, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history = history
        self._from_history: str | None = None
        """The value the walk put in the box: a change to anything else is the user's edit."""

    def action_older_query(self) -> None:
        self._show(self.history.older(self.value))

    def action_newer_query(self) -> None:
        self._show(self.history.newer())

    def _show(self, query: str | None) -> None:
        if query is None:
            return
        self._from_history = query
        self.value = query
        self.cursor_position = len(query)

    def _watch_value(self, value: str) -> None:
        if value != self._from_history:
            self.history.reset()  # typing after a walk starts the next walk from the newest
            self._from_history = None
        super()._watch_value(value)

    async def _on_key(self, event: events.Key) -> None:
        if event.character == "?" and not self.value:
            event.stop()
            event.prevent_default()
            self.post_message(self.CheatSheetWanted())
            return
        await super()._on_key(event)
