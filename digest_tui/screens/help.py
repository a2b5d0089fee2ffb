"""The help screen: every key the reader answers to, taken from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from digest_tui.config import CONFIG_FILE
from digest_tui.sanitize import clean_line


def key_label(keys: str) -> str:
    names = {"down": "↓", "up": "↑", "pagedown": "pgdn", "pageup": "pgup", "backslash": "\\",
             "question_mark": "?", "slash": "/", "escape": "esc", "left_square_bracket": "[",
             "right_square_bracket": "]", "exclamation_mark": "!", "ctrl+p": "ctrl+p"}
    return " ".join(names.get(key, key) for key in keys.split(","))


class HelpScreen(ModalScreen[None]):
    """Lists each group of bindings with its keys and what it does."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, groups: Iterable[tuple[str, Iterable[Binding]]], config_path: str) -> None:
        super().__init__()
        self.groups = list(groups)
        self.config_path = config_path

    def compose(self):
        with VerticalScroll(id="help-box"):
            yield Static(self.table(), id="help-table")

    def table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        table.add_row(Text("digest-tui keys", style="bold"), "")
        for title, bindings in self.groups:
            table.add_row("", "")
            table.add_row(Text(title, style="bold underline"), "")
            for binding in bindings:
                table.add_row(key_label(binding.key), binding.tooltip or binding.description)
        table.add_row("", "")
        table.add_row("", Text(f"Settings: {clean_line(self.config_path)} ({CONFIG_FILE})", style="dim"))
        table.add_row("", Text("esc, q or ? closes this screen", style="dim"))
        return table

    def action_dismiss(self, result=None) -> None:
        self.dismiss(None)
