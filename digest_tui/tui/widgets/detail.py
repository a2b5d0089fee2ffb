"""The detail pane: one entry in full, wrapped once to the pane's width and drawn line by line.

A cursor move hands the pane another entry. Like the entry list it is a line-API view: it wraps
the entry's text into strips itself, keeps the strips of the last few entries, sets its own
virtual size and repaints itself only, so showing an entry never lays out the screen again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import count

from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual

from digest_tui.digest.highlight import match_spans
from digest_tui.digest.latex import Run, reading_runs
from digest_tui.digest.model import Entry
from digest_tui.text.sanitize import clean, clean_line
from digest_tui.tui.widgets.scroll_area import set_virtual_size

AUTHORS_SHOWN = 3
"""Authors listed before `… and N more`: a 100-author paper must not push its abstract away."""
KEPT = 16
"""Entries whose text and wrapped lines are kept: going back and forth over a few is free."""
CONTEXT_LINES = 2
"""Lines left above the first match when the pane scrolls to it."""

Marked = Mapping[str, tuple[str, ...]]
"""The search's folded words to highlight, by field: title, author, tag, note, abstract, comment."""


class DetailPane(ScrollView, can_focus=True):
    """Title, authors, date, tags, abstract, commentary (translation set apart), links."""

    DEFAULT_CSS = """
    DetailPane {
        overflow-x: hidden;
        overflow-y: auto;
    }
    DetailPane > .detail--match {
        text-style: reverse;
    }
    """

    COMPONENT_CLASSES = {"detail--match"}

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
        self.all_authors = False
        self.content = Text()
        """What the pane shows, before wrapping."""
        self._shown: dict = {}
        self._serial = 0
        """Names `content` in the cache of wrapped lines (cheaper to hash than what made it)."""
        self._serials = count(1)
        self._texts: LRUCache[Hashable, tuple[int, Text, int | None]] = LRUCache(KEPT)
        self._highlights: tuple[tuple[str, tuple[str, ...]], ...] = ()
        self._first_match: int | None = None
        """Where in `content` the first highlighted word of the abstract or commentary is."""
        self._wrapped: LRUCache[tuple, list[Strip]] = LRUCache(KEPT)

    def show(
        self,
        entry: Entry | None,
        *,
        note: str = "",
        language: str = "both",
        related: Sequence[Entry] = (),
        related_cursor: int = -1,
        placeholder: str = "",
        highlights: tuple[tuple[str, tuple[str, ...]], ...] = (),
    ) -> None:
        """Show `entry` (or `placeholder` when None) with the words of `highlights`, pairs of a
        field and its folded words, highlighted."""
        same = entry is self.entry
        if entry is None or self.entry is None or entry.id != self.entry.id:
            self.all_authors = False  # each entry opens with its authors folded
        self.entry = entry
        self._shown = dict(note=note, language=language, related=tuple(related), related_cursor=related_cursor)
        self._highlights = highlights
        if entry is None:
            self._set_text(("placeholder", placeholder), lambda: (Text(clean(placeholder), style="dim"), None))
        else:
            self._show_entry()
        if not same:
            self.scroll_home(animate=False)

    def toggle_authors(self) -> bool:
        """Show every author of the entry, or fold them back to the first few; False when the
        entry has no more authors than are shown anyway."""
        entry = self.entry
        if entry is None or len(entry.authors) <= AUTHORS_SHOWN:
            return False
        self.all_authors = not self.all_authors
        self._show_entry()
        return True

    @property
    def text(self) -> str:
        """What the pane shows, as plain text (unwrapped)."""
        return self.content.plain

    @property
    def lines(self) -> list[Strip]:
        """The pane's text wrapped to its width, one strip per line, as drawn."""
        width = self._wrap_width()
        return self._wrap(width) if width > 0 else []

    # -- text -------------------------------------------------------------------------------

    def _show_entry(self) -> None:
        entry, shown, every, highlights = self.entry, self._shown, self.all_authors, self._highlights
        assert entry is not None
        mark = self.get_component_rich_style("detail--match", partial=True)
        key = (entry, every, highlights, mark, *shown.values())
        self._set_text(key, lambda: rendered_entry(entry, all_authors=every, marked=dict(highlights), mark=mark, **shown))

    def scroll_to_first_match(self) -> bool:
        """Scroll to the first highlighted word of the abstract or the commentary (a few lines
        above it stay in view); False when neither has one."""
        offset, width = self._first_match, self._wrap_width()
        if offset is None or width <= 0:
            return False
        before = Content(self.content.plain[:offset] + "x")  # the line the match starts on, too
        line = len(Visual.to_strips(self, before, width, None, self.visual_style)) - 1
        self.scroll_to(y=max(line - CONTEXT_LINES, 0), animate=False)
        return True

    def _set_text(self, key: Hashable, make: Callable[[], tuple[Text, int | None]]) -> None:
        known = self._texts.get(key)
        if known is None:
            known = self._texts[key] = (next(self._serials), *make())
        self._serial, self.content, self._first_match = known
        self._relines()

    # -- lines ------------------------------------------------------------------------------

    def _wrap_width(self) -> int:
        """The width the text wraps to: the pane's, less a scrollbar when the text needs one."""
        width, height = self.size
        narrow = width - self.styles.scrollbar_size_vertical
        if narrow <= 0:
            return max(width, 0)
        # Most entries need the scrollbar, so the narrow wrap is tried first: one wrap, not two.
        return narrow if len(self._wrap(narrow)) > height else width

    def _wrap(self, width: int) -> list[Strip]:
        """The text wrapped to `width` as the pane draws it now (its colours, any selection)."""
        key = (self._serial, width, self.visual_style, self.text_selection)
        lines = self._wrapped.get(key)
        if lines is None:
            content = Content.from_rich_text(self.content, console=self.app.console)
            lines = self._wrapped[key] = Visual.to_strips(self, content, width, None, self.visual_style)
        return lines

    def _relines(self) -> None:
        """Wrap the text to the pane's width, size the scroll area to it and repaint the pane."""
        set_virtual_size(self, Size(self.size.width, len(self.lines)))

    def on_resize(self, event: events.Resize) -> None:
        self._relines()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        # Padded with the background alone, as Textual pads a widget's text.
        pad = Style(bgcolor=self.visual_style.rich_style.bgcolor)
        lines = self.lines
        number = self.scroll_offset.y + y
        if number >= len(lines):
            return Strip.blank(width, pad)
        return lines[number].adjust_cell_length(width, pad)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        # Offsets in the strips count lines and characters of the unwrapped text.
        return selection.extract(self.content.plain), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()


def rendered_entry(
    entry: Entry,
    *,
    note: str = "",
    language: str = "both",
    related: Sequence[Entry] = (),
    related_cursor: int = -1,
    all_authors: bool = False,
    marked: Marked | None = None,
    mark: Style | None = None,
) -> tuple[Text, int | None]:
    """The entry as the pane shows it, the words of `marked` (by field) styled with `mark`;
    and where the first of them in the abstract or the commentary is (None: nowhere)."""
    marker = _Marker(marked or {}, mark or Style(reverse=True))
    text = Text()
    with marker.field(text, "title"):
        text.append(clean_line(entry.title), Style(bold=True))
    text.append("\n")
    if entry.authors:
        with marker.field(text, "author"):
            _authors(text, entry.authors, all_authors)
        text.append("\n")
    text.append(entry.date.isoformat(), Style(dim=True))
    if entry.tags:
        text.append("   ")
        with marker.field(text, "tag"):
            text.append(clean_line(" ".join("#" + tag for tag in entry.tags)), Style(color="cyan"))
    text.append("\n")
    if note:
        text.append("\n★ Note: ", Style(bold=True, color="yellow"))
        with marker.field(text, "note"):
            text.append(clean(note))
        text.append("\n")
    if entry.abstract:
        _section(text, "Abstract")
        with marker.field(text, "abstract", body=True):
            for run in reading_runs(entry.abstract):
                text.append(clean(run.text), _run_style(run, entry))
        text.append("\n")
    commentary, translation = _commentary(entry, language)
    if commentary:
        _section(text, "Commentary")
        with marker.field(text, "comment", body=True):
            text.append(clean("\n\n".join(commentary)))
        text.append("\n")
    if translation:
        _section(text, "Translation")
        with marker.field(text, "comment", body=True):
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
            marker_text = "▶ " if position == related_cursor else "  "
            text.append(marker_text)
            text.append(clean_line(other.title), Style(meta={"@click": f"app.open_related({position})"}, bold=position == related_cursor))
            text.append(f"  {other.date.isoformat()}\n", Style(dim=True))
    return text, marker.first_body_match


class _Marker:
    """Highlights the search's words in each part of the text as it is written."""

    def __init__(self, marked: Marked, style: Style) -> None:
        self.marked, self.style = marked, style
        self.first_body_match: int | None = None

    @contextmanager
    def field(self, text: Text, name: str, body: bool = False) -> Iterator[None]:
        """Mark the words of field `name` in what the block appends to `text`; `body`: the
        abstract or the commentary, where the pane scrolls to a match."""
        start = len(text)
        yield
        needles = self.marked.get(name, ())
        if not needles:
            return
        for begin, end in match_spans(text.plain[start:], needles):
            text.stylize(self.style, start + begin, start + end)
            if body and self.first_body_match is None:
                self.first_body_match = start + begin


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
