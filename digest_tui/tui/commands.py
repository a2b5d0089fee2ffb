"""The command palette's providers: jump to any entry by its title, choose a saved filter."""

from __future__ import annotations

import asyncio
import threading
from functools import partial
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from digest_tui.digest.library import Library
from digest_tui.digest.model import Entry
from digest_tui.session import ReadingSession
from digest_tui.text.sanitize import clean_line
from digest_tui.tui.title_finder import TitleFinder, highlighted, score, shown_title


class Jumps(Protocol):
    """What the palette needs of the reader: the session to search, a way to jump to an entry
    and one to search a saved filter."""

    session: ReadingSession

    def jump_to(self, entry: Entry) -> None: ...

    def use_saved_filter(self, name: str) -> None: ...


class EntryCommands(Provider):
    """Jump to an entry: its title matched by Textual's fuzzy matcher (`jetfrmr` finds
    JetFormer), ranked by the matcher's score, over the whole library (see title_finder)."""

    @property
    def reader(self) -> Jumps:
        return cast(Jumps, self.app)

    async def startup(self) -> None:
        # Folding 100,000 titles takes tens of milliseconds: off the event loop, once a library.
        await asyncio.to_thread(finder_for, self.reader.session.library)

    async def discover(self) -> Hits:
        for entry in self.reader.session.library.entries[:20]:
            title = shown_title(entry)
            yield DiscoveryHit(Content(title), partial(self.reader.jump_to, entry), text=title, help=entry.date.isoformat())

    async def search(self, query: str) -> Hits:
        reader = self.reader
        library = reader.session.library
        style = self.match_style
        # Tens of milliseconds for a query of common letters over 100,000 titles: in a thread,
        # so typing in the palette never waits for it.
        positions = await asyncio.to_thread(finder_for(library).candidates, query)
        for position in positions:
            entry = library.entries[position]
            title = shown_title(entry)
            points, offsets = score(query, title)
            if points > 0:
                yield Hit(points, highlighted(title, offsets, style), partial(reader.jump_to, entry), text=f"Go to: {title}", help=entry.date.isoformat())


_finder: tuple[Library, TitleFinder] | None = None
_finder_lock = threading.Lock()


def finder_for(library: Library) -> TitleFinder:
    """The title finder of `library`, made on first use and kept until another library comes."""
    global _finder
    with _finder_lock:
        if _finder is None or _finder[0] is not library:
            _finder = (library, TitleFinder(library.entries))
        return _finder[1]


class FilterCommands(Provider):
    """`Filter: reading-list` for each saved filter of config.toml's [filters]."""

    @property
    def reader(self) -> Jumps:
        return cast(Jumps, self.app)

    def commands(self) -> list[tuple[str, str, str]]:
        """(name, prompt, help) of each saved filter, cleaned for the screen."""
        filters = self.reader.session.settings.filters
        return [(name, f"Filter: {clean_line(name)}", clean_line(query)) for name, query in filters.items()]

    async def discover(self) -> Hits:
        for name, prompt, query in self.commands():
            yield DiscoveryHit(Content(prompt), partial(self.reader.use_saved_filter, name), text=prompt, help=query)

    async def search(self, query: str) -> Hits:
        for name, prompt, help_text in self.commands():
            points, offsets = score(query, prompt)
            if points > 0:
                yield Hit(points, highlighted(prompt, offsets, self.match_style), partial(self.reader.use_saved_filter, name), text=prompt, help=help_text)
