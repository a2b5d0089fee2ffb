"""Small modal dialogs that return a value to a callback."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from digest_tui.sanitize import clean, clean_line, shorten


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question: y/enter confirms, n/esc declines."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Text(clean(self.question)))
            yield Static(Text("y / enter: yes    n / esc: no", style="dim"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class NoteScreen(ModalScreen[str | None]):
    """Edit a bookmark's note: enter saves, esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.entry_title = title
        self.note = note

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Text(f"Note for “{clean_line(shorten(self.entry_title, 80))}”", style="bold"))
            yield Input(value=clean_line(self.note), placeholder="a short note (enter saves, esc cancels)", max_length=500, id="note-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few labelled choices; returns its key."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]

    def __init__(self, question: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = list(choices)

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Text(clean(self.question), style="bold"))
            yield OptionList(*[label for _, label in self.choices], id="choices")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
