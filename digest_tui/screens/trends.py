"""The trends screen: the most used tags over time, one sparkline each; choosing one filters."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Sparkline, Static

from digest_tui.sanitize import clean_line


class TrendRow(Horizontal):
    def __init__(self, tag: str, total: int, series: list[int]) -> None:
        super().__init__(classes="trend-row")
        self.tag = tag
        self.total = total
        self.series = series

    def compose(self):
        label = Text(clean_line(f"#{self.tag}"[:22]).ljust(23))
        label.append(f"{self.total:>6}", style="dim")
        yield Static(label, classes="trend-label")
        yield Sparkline(self.series or [0], classes="trend-line")


class TrendsScreen(ModalScreen[str | None]):
    """`series` maps each tag to its entries per period; the first tag is highlighted first."""

    BINDINGS = [
        Binding("j,down", "move(1)", "Next tag"),
        Binding("k,up", "move(-1)", "Previous tag"),
        Binding("enter", "choose", "Filter by this tag"),
        Binding("escape,q,T", "cancel", "Close"),
    ]

    chosen: reactive[int] = reactive(0)

    def __init__(self, series: dict[str, list[int]], totals: dict[str, int], span: str) -> None:
        super().__init__()
        self.series = series
        self.totals = totals
        self.span = span

    def compose(self):
        with Vertical(classes="dialog", id="trends-box"):
            yield Static(Text(f"Top tags over time — entries per month, {self.span}", style="bold"))
            for tag, counts in self.series.items():
                yield TrendRow(tag, self.totals.get(tag, 0), counts)
            yield Static(Text("j/k choose · enter filters the list · esc closes", style="dim"))

    @property
    def rows(self) -> list[TrendRow]:
        return list(self.query(TrendRow))

    def on_mount(self) -> None:
        self.watch_chosen(self.chosen)

    def watch_chosen(self, chosen: int) -> None:
        for position, row in enumerate(self.rows):
            row.set_class(position == chosen, "chosen")

    def action_move(self, step: int) -> None:
        if self.rows:
            self.chosen = (self.chosen + step) % len(self.rows)

    def on_click(self, event) -> None:
        for position, row in enumerate(self.rows):
            if row.region.contains(event.screen_x, event.screen_y):
                self.chosen = position
                self.action_choose()

    def action_choose(self) -> None:
        rows = self.rows
        self.dismiss(rows[self.chosen].tag if rows else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
