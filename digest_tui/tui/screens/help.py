"""The help screen: every key the reader answers to, taken from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from digest_tui.config import CONFIG_FILE
from digest_tui.text.sanitize import clean_line
from digest_tui.tui.keys import KeyFooter


def key_label(keys: str) -> str:
    names = {"down": "↓", "up": "↑", "pagedown": "pgdn", "pageup": "pgup", "backslash": "\\",
             "question_mark": "?", "slash": "/", "escape": "esc", "left_square_bracket": "[",
             "right_square_bracket": "]", "exclamation_mark": "!", "ctrl+p": "ctrl+p"}
    return " ".join(names.get(key, key) for key in keys.split(","))


@dataclass(frozen=True)
class HelpSection:
    """A heading, its keys, and a line or two of explanation under them."""

    title: str
    bindings: Sequence[Binding]
    note: str = ""
    rows: Sequence[tuple[str, str]] = ()
    """More lines after the keys: what to type, and what it does."""


SCROLL = Binding.Group("Scroll")
ENDS = Binding.Group("Top/bottom")


class HelpBox(VerticalScroll):
    """The help text, scrolled with the keys that scroll the detail pane (arrows and pgup/pgdn too)."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", group=SCROLL),
        Binding("k", "scroll_up", "Scroll up", group=SCROLL),
        Binding("space", "page_down", "Page down"),
        Binding("g", "scroll_home", "Top", group=ENDS),
        Binding("G", "scroll_end", "Bottom", group=ENDS),
    ]


class HelpScreen(ModalScreen[None]):
    """Lists each section of bindings with its keys and what it does."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, sections: Iterable[HelpSection], config_path: str) -> None:
        super().__init__()
        self.sections = list(sections)
        self.config_path = config_path

    def compose(self):
        with HelpBox(id="help-box"):
            yield Static(self.table(), id="help-table")
        yield KeyFooter()

    def table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        table.add_row(Text("digest-tui keys", style="bold"), "")
        for section in self.sections:
            table.add_row("", "")
            table.add_row(Text(section.title, style="bold underline"), "")
            for binding in section.bindings:
                table.add_row(key_label(binding.key), binding.tooltip or binding.description)
            for example, meaning in section.rows:
                # In the wide column: the keys' column stays as narrow as the keys.
                table.add_row("", Text.assemble((example, "bold cyan"), "  ", meaning))
            if section.note:
                table.add_row("", Text(section.note, style="italic"))
        table.add_row("", "")
        table.add_row("", Text(f"Settings: {clean_line(self.config_path)} ({CONFIG_FILE})", style="dim"))
        table.add_row("", Text("esc, q or ? closes this screen; j/k, space, g/G scroll it", style="dim"))
        return table

    async def action_dismiss(self, result: object = None) -> None:
        self.dismiss(None)
