"""The command palette's provider: jump to any entry by its title."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from digest_tui.sanitize import clean_line

if TYPE_CHECKING:
    from digest_tui.app import DigestApp

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
    def reader(self) -> DigestApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        for entry in self.reader.library.entries[:20]:
            title = clean_line(entry.title[:200])
            yield DiscoveryHit(Content(title), partial(self.reader.jump_to, entry), text=title, help=entry.date.isoformat())

    async def search(self, query: str) -> Hits:
        app = self.reader
        matcher = self.matcher(query)
        words = query.split()
        candidates = app.index.search(max(words, key=len)) if words else []
        for index in candidates[:MAX_CANDIDATES]:
            entry = app.library.entries[index]
            title = clean_line(entry.title[:200])
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlighted(matcher, title), partial(app.jump_to, entry), text=f"Go to: {title}", help=entry.date.isoformat())
