"""The bare Textual app the reader's start is compared with: a header, a static line and a
footer; `j` changes the line, `q` quits. The benchmark installs it beside the reader, bytecode
compiled, and starts it the way the reader's console script starts the reader."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

LINE = "A static line."
CHANGED = "The line changed."


class Bare(App[None]):
    BINDINGS = [("j", "change", "Change"), ("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(LINE, id="line")
        yield Footer()

    def action_change(self) -> None:
        self.query_one("#line", Static).update(CHANGED)


def main() -> None:
    Bare().run()
