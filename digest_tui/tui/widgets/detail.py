"""The detail pane: one entry in full, scrolling on its own."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from digest_tui.digest.latex import Run, reading_runs
from digest_tui.digest.model import Entry
from digest_tui.text.sanitize import clean, clean_line

AUTHORS_SHOWN = 3
"""Authors listed before `… and N more`: a 100-author paper must not push its abstract away."""


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
        self.all_authors = False
        self._shown: dict = {}

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
        if entry is None or self.entry is None or entry.id != self.entry.id:
            self.all_authors = False  # each entry opens with its authors folded
        self.entry = entry
        self._shown = dict(note=note, language=language, related=related, related_cursor=related_cursor)
        if entry is None:
            self.body.update(Text(clean(placeholder), style="dim"))
        else:
            self.body.update(render_entry(entry, all_authors=self.all_authors, **self._shown))
        if not same:
            self.scroll_home(animate=False)

    def toggle_authors(self) -> bool:
        """Show every author of the entry, or fold them back to the first few; False when the
        entry has no more authors than are shown anyway."""
        entry = self.entry
        if entry is None or len(entry.authors) <= AUTHORS_SHOWN:
            return False
        self.all_authors = not self.all_authors
        self.body.update(render_entry(entry, all_authors=self.all_authors, **self._shown))
        return True

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
    all_authors: bool = False,
) -> Text:
    text = Text()
    text.append(clean_line(entry.title), Style(bold=True))
    text.append("\n")
    if entry.authors:
        _authors(text, entry.authors, all_authors)
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
        for run in reading_runs(entry.abstract):
            text.append(clean(run.text), _run_style(run, entry))
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


def _authors(text: Text, authors: tuple[str, ...], every: bool) -> None:
    """The authors, folded after the first few unless `every`; the fold is clicked (or `a`)."""
    toggle = Style(dim=True, underline=True, meta={"@click": "app.toggle_authors"})
    if len(authors) <= AUTHORS_SHOWN:
        text.append(clean_line(", ".join(authors)), Style(italic=True))
    elif every:
        text.append(clean_line(", ".join(authors)), Style(italic=True))
        text.append("  ")
        text.append("(fewer)", toggle)
    else:
        text.append(clean_line(", ".join(authors[:AUTHORS_SHOWN])), Style(italic=True))
        text.append(" ")
        text.append(f"… and {len(authors) - AUTHORS_SHOWN} more", toggle)


def _run_style(run: Run, entry: Entry) -> Style | None:
    """How a run of the abstract is drawn: bold and italic as the LaTeX says, a link underlined
    (and opened on a click when the entry lists it, through the same checks as its Links)."""
    if not (run.bold or run.italic or run.link):
        return None
    meta = None
    if run.link:
        for number, url in enumerate(entry.links, start=1):
            if url == run.link:
                meta = {"@click": f"app.open_link({number})"}
                break
    return Style(
        bold=run.bold or None,
        italic=run.italic or None,
        underline=bool(run.link) or None,
        color="bright_blue" if run.link else None,
        meta=meta,
    )


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
