"""The line over the list while a tag is chosen: the tag's entries per month."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Sparkline, Static

from digest_tui.digest.library import Library
from digest_tui.digest.trends import library_months, month_label, tag_series
from digest_tui.text.sanitize import clean_line


class TrendBar(Horizontal):
    """`#tag per month 2024-07…2024-12 ▁▃█`, over the months the trends screen shows (stray
    old entries left out); hidden while no tag is chosen."""

    def compose(self) -> ComposeResult:
        yield Static(id="trend-label")
        yield Sparkline(id="trend-line")

    def show(self, library: Library, tag: str | None) -> None:
        months = library_months(library)
        self.set_class(bool(tag and months is not None), "visible")
        if tag and months is not None:
            label = Text(clean_line(f"#{tag}"), style="bold")
            label.append(f" per month {month_label(months.first)}…{month_label(months.last)}", style="dim")
            self.query_one("#trend-label", Static).update(label)
            self.query_one("#trend-line", Sparkline).data = tag_series(library, [tag])[tag]
