"""The trends screen: the most used tags over time, one sparkline each over a shared axis of
months; choosing one filters."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.renderables.sparkline import Sparkline as SparklineRenderable
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from digest_tui.digest.trends import MonthRange, axis_line, column_counts
from digest_tui.text.sanitize import clean_line
from digest_tui.tui.keys import KeyFooter


class MonthSparkline(Sparkline):
    """A sparkline of counts per month whose columns show the months `column_months` gives
    them, so that they line up with the `MonthAxis` under it. (Textual's own sparkline spreads
    the data over its width with float steps that may differ by a column.)"""

    def render(self):
        data = list(self.data or [])
        width = self.size.width
        if len(data) < 2 or width < 2:
            return super().render()
        # As many values as columns: the renderable then draws value i in column i.
        _, base = self.background_colors
        return SparklineRenderable(
            column_counts(data, width),
            width=width,
            height=self.size.height,
            min_color=(base + self.get_component_styles("sparkline--min-color").color).rich_color,
            max_color=(base + self.get_component_styles("sparkline--max-color").color).rich_color,
            summary_function=self.summary_function,
        )


class MonthAxis(Widget):
    """The months under the sparklines, each label starting at its month's first column."""

    DEFAULT_CSS = """
    MonthAxis {
        height: 1;
        color: $text-muted;
    }
    """

    def __init__(self, months: MonthRange, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.months = months

    @property
    def text(self) -> str:
        return axis_line(self.months, self.size.width)

    def render(self) -> Text:
        return Text(self.text, no_wrap=True)


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
        yield MonthSparkline(self.series or [0], classes="trend-line")


class TrendsScreen(ModalScreen[str | None]):
    """`series` maps each tag to its entries per month over `months`; the first tag is
    highlighted first. Under the sparklines the months are named, and beside them what
    `months` leaves out."""

    BINDINGS = [
        Binding("j,down", "move(1)", "Next tag"),
        Binding("k,up", "move(-1)", "Previous tag"),
        Binding("enter", "choose", "Filter by this tag"),
        Binding("escape,q,T", "cancel", "Close"),
    ]

    chosen: reactive[int] = reactive(0)

    def __init__(self, series: dict[str, list[int]], totals: dict[str, int], months: MonthRange) -> None:
        super().__init__()
        self.series = series
        self.totals = totals
        self.months = months

    def compose(self):
        with Vertical(classes="dialog", id="trends-box"):
            yield Static(Text(f"Top tags over time — entries per month, {self.months.span}", style="bold"))
            for tag, counts in self.series.items():
                yield TrendRow(tag, self.totals.get(tag, 0), counts)
            # The axis row: in the labels' column, what the chart leaves out (its first month is
            # the axis's first label, right beside it).
            with Horizontal(classes="trend-row", id="trend-axis"):
                left_out = Static(Text(self.months.left_out_text, style="dim"), classes="trend-label", id="trend-left-out")
                left_out.tooltip = self.months.note or None
                yield left_out
                yield MonthAxis(self.months, classes="trend-line")
            yield Static(Text("j/k choose · enter filters the list · esc closes", style="dim"))
        yield KeyFooter()

    @property
    def axis(self) -> MonthAxis:
        return self.query_one(MonthAxis)

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
