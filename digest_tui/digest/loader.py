"""Keeping the library in step with the files: the first read, then re-reads of what changed.

The first read goes newest file first and hands over a first library of the newest entries
as soon as there are enough to fill a screen, then the whole one. Files parsed before, and
unchanged since (same size and modification time), come from the parse cache.
"""

from __future__ import annotations

import gc
import os
import re
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from digest_tui.digest.cache import ParseCache
from digest_tui.digest.library import Library, Stamp, read_digest, scan
from digest_tui.digest.model import Problem
from digest_tui.digest.parse import ParseResult, parse_date
from digest_tui.digest.search import search_bytes
from digest_tui.disk.files import read_regular_file

FIRST_ENTRIES = 300
"""How many of the newest entries the first library holds: more than a screen shows."""
PROGRESS_EVERY = 0.25
"""Seconds between progress reports."""
PEEK_BYTES = 512
FREEZE_ENTRIES = 20_000
"""From this many entries on, a load ends with gc.freeze()."""
_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


PEEK_FILES = 200
"""Up to this many files the cache does not know, each one's first date header is read to
order them (a few milliseconds); past it, their modification time stands in for a date."""


def read_for_search(path: str | Path) -> ParseResult:
    """read_digest, with the text search looks in computed too (so it is cached with it)."""
    result = read_digest(Path(path))
    result.search_texts = [search_bytes(entry) for entry in result.entries]
    return result


class Loader:
    """Reads every digest once, then on each `refresh` only files that are new or changed.

    A file whose size or time moved since the previous look may still be being written: it is
    read only once it holds still for one whole interval, so a half-written digest is never
    parsed (and its problems never reported) in passing.
    """

    def __init__(self, sources: list[Path], cache: ParseCache | None = None) -> None:
        self.sources = sources
        self.cache = cache
        self.results: dict[str, ParseResult] = {}
        """Each file's entries and problems, by path name, in discovery order."""
        self.stamps: dict[str, Stamp] = {}
        self.unsettled: dict[str, Stamp] = {}
        self.library = Library()
        self.parsed = 0
        """Files the last load parsed (the others came from the cache)."""
        self.read_order: list[str] = []

    def load(
        self,
        progress: Callable[[int, int], object] | None = None,
        first: Callable[[Library], object] | None = None,
    ) -> Library:
        """Read every digest; `first` gets a library of the newest entries early on."""
        # A load makes a million objects and frees none: the cycle collector would only walk
        # them again and again (a third of the time of a warm start). Refcounting still frees.
        collecting = gc.isenabled()
        gc.disable()
        try:
            library = self._load(progress, first)
        finally:
            if collecting:
                gc.enable()
        if collecting and len(library) >= FREEZE_ENTRIES:
            # Nor should the next full collection walk them all (half a second on the UI
            # thread at 100,000 entries): they live as long as the library, so set them aside.
            gc.freeze()
        return library

    def _load(self, progress: Callable[[int, int], object] | None, first: Callable[[Library], object] | None) -> Library:
        files, problems = scan(self.sources)
        cache = self.cache
        if cache is not None:
            cache.open()
        self.stamps = dict(files)
        order = self._newest_first(files)
        if progress is not None:
            progress(0, len(order))
        entries = 0
        self.parsed = 0
        next_progress = time.monotonic() + PROGRESS_EVERY
        for done, path in enumerate(order, start=1):
            result = self._read(path)
            self.results[path] = result
            entries += len(result.entries)
            if first is not None and (entries >= FIRST_ENTRIES or done == len(order)):
                if done < len(order):
                    first(self._build(problems))
                first = None
            if progress is not None and time.monotonic() >= next_progress:
                # Each report redraws the status line, so not more than a few a second.
                progress(done, len(files))
                next_progress = time.monotonic() + PROGRESS_EVERY
        self.read_order = order
        # Results in discovery order, as a build of the same files always sees them.
        self.results = {path: self.results[path] for path in files}
        self.library = self._build(problems)
        return self.library

    def save_cache(self) -> bool:
        """Write the parse cache when the last load parsed anything or files went away;
        returns whether it was written. Slow for a big archive: call it off the UI thread."""
        cache = self.cache
        if cache is None:
            return False
        try:
            stale = self.parsed > 0 or set(cache.index) != set(self.results)
            if not stale:
                return False
            records = []
            # In the order the next load reads them, newest first: one pass through the file.
            ordered = [path for path in self.read_order if path in self.results]
            known = set(ordered)
            ordered += [path for path in self.results if path not in known]
            for path in ordered:
                result = self.results[path]
                stamp = self.stamps.get(path)
                if stamp is not None:
                    records.append((path, stamp.size, stamp.mtime_ns, result))
            return cache.write(records)
        finally:
            cache.close()

    def _read(self, path: str) -> ParseResult:
        stamp = self.stamps[path]
        if self.cache is not None:
            cached = self.cache.get(path, stamp.size, stamp.mtime_ns)
            if cached is not None:
                return cached
        self.parsed += 1
        return read_for_search(path)

    def _newest_first(self, files: dict[str, Stamp]) -> list[str]:
        """The files, newest first, without reading any that the cache knows or whose name
        holds a date (see _newest_date)."""
        unknown: list[str] = []
        keys: dict[str, tuple[int, int]] = {}
        for path, stamp in files.items():
            newest = self._known_date(path, stamp)
            if newest is None:
                unknown.append(path)
            else:
                keys[path] = (newest, stamp.mtime_ns)
        peek = len(unknown) <= PEEK_FILES
        for path in unknown:
            stamp = files[path]
            day = _first_header(path) if peek else 0
            keys[path] = (day or _day_of(stamp.mtime_ns), stamp.mtime_ns)
        return sorted(files, key=keys.__getitem__, reverse=True)

    def _known_date(self, path: str, stamp: Stamp) -> int | None:
        """The latest date in the file, as an ordinal, when the cache knows it or its name
        holds a date; else None."""
        if self.cache is not None:
            newest = self.cache.newest(path, stamp.size, stamp.mtime_ns)
            if newest is not None:
                return newest
        match = _DATE_IN_NAME.search(os.path.basename(path))
        if match:
            day = parse_date(match[0])
            if day is not None:
                return day.toordinal()
        return None

    def refresh(self) -> Library | None:
        """A new library when files were added, changed or removed since the last look; else None."""
        files, problems = scan(self.sources)
        changed = False
        for path, stamp in files.items():
            if self.stamps.get(path) == stamp:
                self.unsettled.pop(path, None)
                continue
            if self.unsettled.get(path) != stamp:
                self.unsettled[path] = stamp
                continue
            del self.unsettled[path]
            self.stamps[path] = stamp
            self.results[path] = read_for_search(path)
            changed = True
        for gone in set(self.results) - set(files):
            del self.results[gone]
            self.stamps.pop(gone, None)
            changed = True
        if not changed:
            return None
        self.library = self._build(problems)
        return self.library

    def _build(self, problems: list[Problem]) -> Library:
        return Library.build(self.results.values(), problems)


def _day_of(mtime_ns: int) -> int:
    """The ordinal of the local day of a modification time: a digest is written on its day or
    soon after, so this orders files by date well enough until they are read."""
    try:
        return date.fromtimestamp(mtime_ns / 1e9).toordinal()
    except (OverflowError, OSError, ValueError):
        return 0


def _first_header(path: str) -> int:
    """The ordinal of the first date header in the first lines of the file, else 0."""
    try:
        head = read_regular_file(path, PEEK_BYTES)
    except OSError:
        return 0
    for line in head.decode("utf-8", "replace").splitlines()[:8]:
        day = parse_date(line.strip().lstrip("\ufeff"))
        if day is not None:
            return day.toordinal()
    return 0
