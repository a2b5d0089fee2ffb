"""The search cheat sheet: the query language on one screen, opened by `?` in the empty search box."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from digest_tui.tui.keys import KeyFooter
from digest_tui.tui.search_syntax import SEARCH_NOTE, SEARCH_SYNTAX


def syntax_table() -> Table:
    """The query language, an example and its meaning a row."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for example, meaning in SEARCH_SYNTAX:
        table.add_row(Text(example), Text(meaning))
    return table


class CheatSheetScreen(ModalScreen[None]):
    """The search language with examples; esc (or q, or ?) goes back to the search box."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def compose(self):
        with Vertical(classes="dialog", id="cheat-sheet"):
            yield Static(Text("Search", style="bold underline"))
            yield Static(syntax_table())
            yield Static(Text(SEARCH_NOTE, style="italic"))
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss(None)
