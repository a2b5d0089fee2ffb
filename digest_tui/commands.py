"""The command palette's provider: jump to any entry by its title."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from digest_tui.sanitize import clean

if TYPE_CHECKING:
    from digest_tui.app import DigestApp

MAX_CANDIDATES = 300


class EntryCommands(Provider):
    """Matches titles fuzzily; the search index narrows 100,000 entries to a few hundred first."""

    @property
    def reader(self) -> DigestApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        for entry in self.reader.library.entries[:20]:
            yield DiscoveryHit(Text(clean(entry.title[:200])), partial(self.reader.jump_to, entry), text=entry.title, help=entry.date.isoformat())

    async def search(self, query: str) -> Hits:
        app = self.reader
        matcher = self.matcher(query)
        words = query.split()
        candidates = app.index.search(max(words, key=len)) if words else []
        for index in candidates[:MAX_CANDIDATES]:
            entry = app.library.entries[index]
            title = clean(entry.title[:200])
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(app.jump_to, entry), text=f"Go to: {title}", help=entry.date.isoformat())
