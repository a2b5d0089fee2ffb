"""The command palette's providers: jump to any entry by its title, choose a saved filter."""

from __future__ import annotations

from functools import partial
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from digest_tui.digest.model import Entry
from digest_tui.session import ReadingSession
from digest_tui.text.sanitize import clean_line


class Jumps(Protocol):
    """What the palette needs of the reader: the session to search, and a way to jump."""

    session: ReadingSession

    def jump_to(self, entry: Entry) -> None: ...

    def use_saved_filter(self, name: str) -> None: ...

MAX_CANDIDATES = 300


def highlighted(matcher: Matcher, title: str) -> Content:
    """`title` as plain content with the matched letters styled.

    Never `matcher.highlight(title)`: that reads the title as markup, and a digest's title
    could then carry a click action or a link.
    """
    content = Content(title)
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class EntryCommands(Provider):
    """Matches titles with Textual's fuzzy matcher, among the few hundred entries the search
    index finds for the query's longest word."""

    @property
    def reader(self) -> Jumps:
        return cast(Jumps, self.app)

    async def discover(self) -> Hits:
        for entry in self.reader.session.library.entries[:20]:
            title = clean_line(entry.title[:200])
            yield DiscoveryHit(Content(title), partial(self.reader.jump_to, entry), text=title, help=entry.date.isoformat())

    async def search(self, query: str) -> Hits:
        reader, session = self.reader, self.reader.session
        matcher = self.matcher(query)
        words = query.split()
        candidates = session.index.search(max(words, key=len)) if words else []
        for index in candidates[:MAX_CANDIDATES]:
            entry = session.library.entries[index]
            title = clean_line(entry.title[:200])
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlighted(matcher, title), partial(reader.jump_to, entry), text=f"Go to: {title}", help=entry.date.isoformat())


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
        matcher = self.matcher(query)
        for name, prompt, help_text in self.commands():
            score = matcher.match(prompt)
            if score > 0:
                yield Hit(score, highlighted(matcher, prompt), partial(self.reader.use_saved_filter, name), text=prompt, help=help_text)
