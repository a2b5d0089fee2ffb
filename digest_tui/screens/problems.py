"""The problems screen: every `file:line: message` found while reading the digests."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Log, Static

from digest_tui.model import Problem
from digest_tui.sanitize import clean_line


class ProblemsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,p", "dismiss", "Close")]

    def __init__(self, problems: Sequence[Problem], notes: Sequence[Problem]) -> None:
        super().__init__()
        self.problems = problems
        self.notes = notes

    def compose(self):
        count = len(self.problems)
        title = f"{count} problem{'s' if count != 1 else ''}"
        if self.notes:
            title += f", {len(self.notes)} note{'s' if len(self.notes) != 1 else ''}"
        yield Static(Text(title + "   (esc closes)", style="bold"), id="problems-title")
        # A Log draws only visible lines, so thousands of problems cost nothing.
        log = Log(id="problems-log", highlight=False)
        log.write_lines([clean_line(str(p)) for p in self.problems] or ["No problems: every line was read."])
        if self.notes:
            log.write_lines([""] + [clean_line(f"{n.source}:{n.line}: note: {n.message}") for n in self.notes])
        yield log

    def action_dismiss(self, result=None) -> None:
        self.dismiss(None)
