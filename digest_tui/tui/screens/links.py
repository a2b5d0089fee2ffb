"""The link list of one entry: numbered as in the detail pane, each labelled by kind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from digest_tui.text.sanitize import clean_line
from digest_tui.text.wording import shorten
from digest_tui.tui.keys import KeyFooter
from digest_tui.tui.screens.dialogs import LinkList


@dataclass(frozen=True)
class LinkItem:
    url: str
    label: str
    in_library: str = ""
    """Title of the library entry this arXiv link points to, if any."""


@dataclass(frozen=True)
class LinkAction:
    """What the user asked for: 'open', 'browser' (even when it is in the library) or 'copy'."""

    verb: str
    index: int


class LinksScreen(ModalScreen[LinkAction | None]):
    BINDINGS = [
        Binding("y", "act('copy')", "Copy link"),
        Binding("O", "act('browser')", "Open in browser"),
        Binding("escape,q,L", "cancel", "Close"),
        *[Binding(str(n), f"number({n})", f"Open link {n}", show=False) for n in range(1, 10)],
    ]

    def __init__(self, title: str, items: Sequence[LinkItem]) -> None:
        super().__init__()
        self.entry_title = title
        self.items = list(items)

    def compose(self):
        with Vertical(classes="dialog", id="links-box"):
            yield Static(Text(f"Links of “{clean_line(shorten(self.entry_title, 70))}”", style="bold"))
            options = []
            for number, item in enumerate(self.items, start=1):
                prompt = Text(f"[{number}] ", style="bold")
                prompt.append(f"{item.label}  ", style="cyan")
                prompt.append(clean_line(item.url))
                if item.in_library:
                    prompt.append(f"\n     in your library: {clean_line(shorten(item.in_library, 70))}", style="green")
                options.append(Option(prompt))
            yield LinkList(*options, id="links")
            yield Static(Text("j/k move · enter/1-9 open · O open in browser · y copy · esc close", style="dim"))
        yield KeyFooter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(LinkAction("open", event.option_index))

    def action_act(self, verb: str) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self.dismiss(LinkAction(verb, highlighted))

    def action_number(self, number: int) -> None:
        if number <= len(self.items):
            self.dismiss(LinkAction("open", number - 1))

    def action_cancel(self) -> None:
        self.dismiss(None)
