"""The detail pane: one entry in full, scrolling on its own."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from digest_tui.model import Entry
from digest_tui.sanitize import clean, clean_line

LANGUAGES = ("both", "korean", "english")


class DetailPane(VerticalScroll, can_focus=True):
    """Title, authors, date, tags, abstract, commentary (translation set apart), links."""

    BINDINGS = [
        ("j", "scroll_down", "Scroll down"),
        ("k", "scroll_up", "Scroll up"),
        ("space", "page_down", "Page down"),
        ("g", "scroll_home", "Top"),
        ("G", "scroll_end", "Bottom"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entry: Entry | None = None
        self.body = Static(id="detail-body")

    def compose(self):
        yield self.body

    def show(
        self,
        entry: Entry | None,
        *,
        note: str = "",
        language: str = "both",
        related: Sequence[Entry] = (),
        related_cursor: int = -1,
        placeholder: str = "",
    ) -> None:
        same = entry is self.entry
        self.entry = entry
        if entry is None:
            self.body.update(Text(clean(placeholder), style="dim"))
        else:
            self.body.update(render_entry(entry, note=note, language=language, related=related, related_cursor=related_cursor))
        if not same:
            self.scroll_home(animate=False)

    @property
    def text(self) -> str:
        """What the pane shows, as plain text."""
        content = self.body.content
        return content.plain if isinstance(content, Text) else str(content)


def render_entry(
    entry: Entry,
    *,
    note: str = "",
    language: str = "both",
    related: Sequence[Entry] = (),
    related_cursor: int = -1,
) -> Text:
    text = Text()
    text.append(clean_line(entry.title), Style(bold=True))
    text.append("\n")
    if entry.authors:
        text.append(clean_line(", ".join(entry.authors)), Style(italic=True))
        text.append("\n")
    text.append(entry.date.isoformat(), Style(dim=True))
    if entry.tags:
        text.append("   ")
        text.append(clean_line(" ".join("#" + tag for tag in entry.tags)), Style(color="cyan"))
    text.append("\n")
    if note:
        text.append("\n★ Note: ", Style(bold=True, color="yellow"))
        text.append(clean(note))
        text.append("\n")
    if entry.abstract:
        _section(text, "Abstract")
        text.append(clean(entry.abstract))
        text.append("\n")
    commentary, translation = _commentary(entry, language)
    if commentary:
        _section(text, "Commentary")
        text.append(clean("\n\n".join(commentary)))
        text.append("\n")
    if translation:
        _section(text, "Translation")
        text.append(clean("\n\n".join(translation)), Style(italic=True))
        text.append("\n")
    if entry.links:
        _section(text, "Links")
        for number, url in enumerate(entry.links, start=1):
            text.append(f"[{number}] ")
            text.append(clean_line(url), Style(underline=True, color="bright_blue", meta={"@click": f"app.open_link({number})"}))
            text.append("\n")
    if related:
        _section(text, "Related")
        for position, other in enumerate(related):
            marker = "▶ " if position == related_cursor else "  "
            text.append(marker)
            text.append(clean_line(other.title), Style(meta={"@click": f"app.open_related({position})"}, bold=position == related_cursor))
            text.append(f"  {other.date.isoformat()}\n", Style(dim=True))
    return text


def _commentary(entry: Entry, language: str) -> tuple[list[str], list[str]]:
    """The commentary and its translation as the language setting asks; a missing side falls back."""
    korean, english = entry.commentary_korean, entry.commentary_english
    if language == "korean":
        return korean or english, []
    if language == "english":
        return english or korean, []
    return korean or english, english if korean else []


def _section(text: Text, name: str) -> None:
    text.append(f"\n{name}\n", Style(bold=True, underline=True))
