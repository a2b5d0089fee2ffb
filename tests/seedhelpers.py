"""Finding sample-digest entries in tests."""

from __future__ import annotations

from digest_tui.digest.library import Library
from digest_tui.digest.model import Entry


def by_title(library: Library, start: str) -> Entry:
    """The one entry whose title starts with `start`."""
    matches = [e for e in library.entries if e.title.startswith(start)]
    assert len(matches) == 1, start
    return matches[0]
