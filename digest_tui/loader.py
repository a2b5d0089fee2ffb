"""Keeping the library in step with the files: the first read, then re-reads of what changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digest_tui.library import Library, discover, read_digest
from digest_tui.parse import ParseResult


@dataclass(frozen=True)
class Stamp:
    size: int
    mtime_ns: int


def stamp_of(path: Path) -> Stamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return Stamp(info.st_size, info.st_mtime_ns)


class Loader:
    """Reads every digest once, then on each `refresh` only files that are new or changed.

    A file whose size or time moved since the previous look may still be being written: it is
    read only once it holds still for one whole interval, so a half-written digest is never
    parsed (and its problems never reported) in passing.
    """

    def __init__(self, sources: list[Path]) -> None:
        self.sources = sources
        self.results: dict[Path, ParseResult] = {}
        self.stamps: dict[Path, Stamp | None] = {}
        self.unsettled: dict[Path, Stamp | None] = {}
        self.library = Library(sources=list(sources))

    def load(self, progress: Callable[[int, int], None] | None = None) -> Library:
        files, problems = discover(self.sources)
        for done, path in enumerate(files, start=1):
            self.stamps[path] = stamp_of(path)
            self.results[path] = read_digest(path)
            if progress is not None and done % 50 == 0:
                progress(done, len(files))
        self.library = self._build(problems)
        return self.library

    def refresh(self) -> Library | None:
        """A new library when files were added, changed or removed since the last look; else None."""
        files, problems = discover(self.sources)
        changed = False
        for path in files:
            stamp = stamp_of(path)
            if path in self.stamps and self.stamps[path] == stamp:
                self.unsettled.pop(path, None)
                continue
            if self.unsettled.get(path, "never seen") != stamp:
                self.unsettled[path] = stamp
                continue
            del self.unsettled[path]
            self.stamps[path] = stamp
            self.results[path] = read_digest(path)
            changed = True
        for gone in set(self.results) - set(files):
            del self.results[gone]
            self.stamps.pop(gone, None)
            changed = True
        if not changed:
            return None
        self.library = self._build(problems)
        return self.library

    def _build(self, problems) -> Library:
        return Library.build(self.results.values(), self.sources, problems)
