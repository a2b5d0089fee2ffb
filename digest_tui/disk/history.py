"""The search history: earlier queries, newest first, kept in a small file of their own beside
state.toml, and walked with up and down in the search box.

The file is one query a line, newest first. It is read once at start and written whole
(atomically) after each new query, merged with what other readers wrote meanwhile. A damaged,
unreadable or strange file (a FIFO, a directory) reads as no history, never as an error.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from digest_tui.disk.atomic import atomic_write_bytes
from digest_tui.disk.files import read_regular_file

HISTORY_FILE = "search-history.txt"
KEPT = 100
"""Queries kept, newest first."""
LONGEST = 1000
"""Characters of a query kept: a pasted page is no query to walk back to."""
READ_LIMIT = KEPT * (LONGEST + 1) * 4
"""Bytes read of the file at most (a hundred of the longest queries, four bytes a character)."""


def normalized(query: str) -> str:
    """`query` as the history keeps it: one line, no spaces around it, not too long."""
    return " ".join(query.split())[:LONGEST]


def merged(*lists: Iterable[str]) -> list[str]:
    """The queries of `lists` in order, each once (its first place wins), at most KEPT."""
    seen: dict[str, None] = {}
    for queries in lists:
        for query in queries:
            query = normalized(query)
            if query and query not in seen:
                seen[query] = None
                if len(seen) == KEPT:
                    return list(seen)
    return list(seen)


def read_history(path: Path) -> list[str]:
    """The queries in the history file at `path`, newest first; [] when there is none or it
    cannot be read."""
    try:
        data = read_regular_file(path, READ_LIMIT)
    except (OSError, ValueError):
        return []
    return merged(data.decode("utf-8", errors="replace").splitlines())


def write_history(path: Path, queries: list[str]) -> None:
    """Write `queries` (newest first) to `path` atomically. Raises OSError."""
    # No fsync: losing the last query to a crash of the machine costs little, and the write
    # stays a fraction of a millisecond.
    atomic_write_bytes(path, "".join(query + "\n" for query in queries).encode("utf-8"), durable=False)


class SearchHistory:
    """The queries of the history file at `path`, with a walk through them for up and down.

    add() is called on the UI thread; save() may run in any thread, and any number of saves at
    once write the latest queries last (each one takes them under a lock).
    """

    def __init__(self, path: Path, queries: list[str] | None = None) -> None:
        self.path = path
        self.queries = merged(queries or [])
        self._lock = threading.Lock()
        self._position = -1
        """Where the walk is: -1 is the text being typed, 0 the newest query, and so on."""
        self._typed = ""

    @classmethod
    def load(cls, path: Path) -> SearchHistory:
        return cls(path, read_history(path))

    def add(self, query: str) -> bool:
        """Put `query` first (a repeated one moves to the front); whether it changed anything."""
        query = normalized(query)
        self.reset()
        if not query or (self.queries and self.queries[0] == query):
            return False
        with self._lock:
            self.queries = merged([query], self.queries)
        return True

    def save(self) -> None:
        """Write the queries, merged with any another reader wrote since. Raises OSError."""
        with self._lock:
            self.queries = merged(self.queries, read_history(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_history(self.path, self.queries)

    # -- walking --------------------------------------------------------------------------

    def older(self, typed: str) -> str | None:
        """The query before the one shown (the newest, from the text being typed, `typed`);
        None when there is no older one."""
        if self._position + 1 >= len(self.queries):
            return None
        if self._position < 0:
            self._typed = typed
        self._position += 1
        return self.queries[self._position]

    def newer(self) -> str | None:
        """The query after the one shown; past the newest, the text that was being typed;
        None when the walk is not under way."""
        if self._position < 0:
            return None
        self._position -= 1
        return self._typed if self._position < 0 else self.queries[self._position]

    def reset(self) -> None:
        """End the walk: the next older() starts from the newest query again."""
        self._position, self._typed = -1, ""
