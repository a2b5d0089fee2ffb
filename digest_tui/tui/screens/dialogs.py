"""Small modal dialogs that return a value to a callback, each with a footer of its own keys."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from digest_tui.text.sanitize import clean, clean_line
from digest_tui.text.wording import shorten
from digest_tui.tui.keys import KeyFooter


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
        yield KeyFooter()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class NoteInput(Input):
    """The note's input: its own enter, shown in the footer as Save.

    Not a priority binding on the screen: that would run as soon as enter arrives, before
    the keys typed just ahead of it reach the input, and save the note without them.
    """

    BINDINGS = [Binding("enter", "submit", "Save")]


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
            yield NoteInput(value=clean_line(self.note), placeholder="a short note (enter saves, esc cancels)", max_length=500, id="note-input")
        yield KeyFooter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


MOVE = Binding.Group("Move")


class ChoiceList(OptionList):
    """An option list that j and k move through too, as every list of the reader.

    Its own enter chooses, shown in the footer. (A priority binding on the screen would run
    as soon as enter arrives, before the j and k typed just ahead of it moved the cursor.)
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", group=MOVE),
        Binding("k", "cursor_up", "Up", group=MOVE),
        Binding("enter", "select", "Choose"),
    ]


class LinkList(ChoiceList):
    """The link list: enter opens the highlighted link."""

    BINDINGS = [Binding("enter", "select", "Open")]


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few numbered choices (j/k and enter, or its number); returns its key."""

    BINDINGS = [
        Binding("escape,q", "cancel", "Close"),
        *[Binding(str(n), f"number({n})", f"Choose {n}", show=False) for n in range(1, 10)],
    ]

    def __init__(self, question: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = list(choices)

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Text(clean(self.question), style="bold"))
            yield ChoiceList(*[Text.assemble((f"[{number}] ", "bold"), label) for number, (_, label) in enumerate(self.choices, start=1)], id="choices")
            yield Static(Text("j/k move · enter/1-9 choose · esc close", style="dim"))
        yield KeyFooter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][0])

    def action_number(self, number: int) -> None:
        if number <= len(self.choices):
            self.dismiss(self.choices[number - 1][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
