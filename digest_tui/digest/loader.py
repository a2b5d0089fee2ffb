"""Keeping the library in step with the files: the first read, then re-reads of what changed.

The first read goes newest file first and hands over a first library of the newest entries
as soon as there are enough to fill a screen, then the whole one. Files parsed before, and
unchanged since (same size and modification time), come from the parse cache; when many are
not, worker processes parse them (digest.pool). Entries hold no details (digest.details reads
them when shown), and the search texts are read only when a search index asks for them.
"""

from __future__ import annotations

import gc
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from datetime import date
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import BinaryIO, overload

from digest_tui.digest.cache import CHUNK_ENTRIES, Chunk, ParseCache, Spooled, decode_rows, decode_texts, encode_chunk, unspooled
from digest_tui.digest.library import Library, scan
from digest_tui.digest.model import Entry, Problem, Stamp
from digest_tui.digest.parse import ParseResult, parse_date
from digest_tui.digest.pool import PARALLEL_BYTES, PARALLEL_FILES, BatchFile, batches, parse_batch, process_pool, read_for_search, workers
from digest_tui.digest.search import search_bytes
from digest_tui.disk.files import read_regular_file

FIRST_ENTRIES = 300
"""How many of the newest entries the first library holds: more than a screen shows."""
PROGRESS_EVERY = 0.25
"""Seconds between progress reports."""
PEEK_BYTES = 512
FREEZE_ENTRIES = 20_000
"""From this many entries on, a load ends with gc.freeze()."""
_SOURCE = attrgetter("source")
_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


PEEK_FILES = 200
"""Up to this many files the cache does not know, each one's first date header is read to
order them (a few milliseconds); past it, their modification time stands in for a date."""


class SearchTexts(Sequence[bytes]):
    """A library's search texts (search.search_bytes of each entry, in its order), read from
    the parse cache, or from files parsed in other processes, when first asked for."""

    def __init__(self, count: int, read: Callable[[], list[bytes]]) -> None:
        self._count = count
        self._read = read
        self._texts: list[bytes] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        return self.texts()[index]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.texts())

    def texts(self) -> list[bytes]:
        with self._lock:
            if self._texts is None:
                self._texts = self._read()
            return self._texts


class Loader:
    """Reads every digest once, then on each `refresh` only files that are new or changed.

    A file whose size or time moved since the previous look may still be being written: it is
    read only once it holds still for one whole interval, so a half-written digest is never
    parsed (and its problems never reported) in passing.
    """

    def __init__(self, sources: list[Path], cache: ParseCache | None = None, pool: Callable[[int], Executor] = process_pool) -> None:
        self.sources = sources
        self.cache = cache
        self.pool = pool
        """Makes the worker processes of a cold load (given how many)."""
        self.results: dict[str, ParseResult] = {}
        """Each file's entries and problems, by path name, in discovery order."""
        self.stamps: dict[str, Stamp] = {}
        self.unsettled: dict[str, Stamp] = {}
        self.library = Library()
        self.parsed = 0
        """Files the last load parsed (the others came from the cache)."""
        self.read_order: list[str] = []
        self.fresh: list[Chunk] = []
        """Chunks parsed in other processes and not yet written to the cache."""
        self._home: dict[str, int] = {}
        """path -> its chunk in `fresh`."""
        self._fresh_texts: tuple[int, list[bytes]] | None = None
        self._spool: BinaryIO | None = None
        """Where the search texts of `fresh` wait for the cache."""
        # The load, a refresh, search texts and the cache's writing may each run in a thread.
        self._lock = threading.RLock()

    def load(
        self,
        progress: Callable[[int, int], object] | None = None,
        first: Callable[[Library], object] | None = None,
    ) -> Library:
        """Read every digest; `first` gets a library of the newest entries early on."""
        with _collector_paused() as frozen:
            with self._lock:
                library = self._load(progress, first)
            # Nor should the next full collection walk them all (half a second at 100,000
            # entries, and no other thread runs meanwhile): they live as long as the library,
            # so set them aside, before the collector is back and its first pass runs.
            frozen.append(len(library) >= FREEZE_ENTRIES)
        return library

    def _load(self, progress: Callable[[int, int], object] | None, first: Callable[[Library], object] | None) -> Library:
        files, problems = scan(self.sources)
        cache = self.cache
        if cache is not None:
            cache.open()
        self.stamps = dict(files)
        self._forget_fresh()
        order = self._newest_first(files)
        total = len(order)
        if progress is not None:
            progress(0, total)
        entries = 0
        self.parsed = 0
        next_progress = time.monotonic() + PROGRESS_EVERY
        for done, (path, result) in enumerate(self._results(order), start=1):
            self.results[path] = result
            entries += len(result.entries)
            if first is not None and (entries >= FIRST_ENTRIES or done == total):
                if done < total:
                    first(self._build(problems))
                first = None
            if progress is not None and time.monotonic() >= next_progress:
                # Each report redraws the status line, so not more than a few a second.
                progress(done, total)
                next_progress = time.monotonic() + PROGRESS_EVERY
        self.read_order = order
        # Results in discovery order, as a build of the same files always sees them.
        self.results = {path: self.results[path] for path in files}
        self.library = self._build(problems)
        return self.library

    def _results(self, order: list[str]) -> Iterator[tuple[str, ParseResult]]:
        """Each file's result, in `order`: from the cache, else parsed (by other processes
        when there is much to parse)."""
        cache, stamps = self.cache, self.stamps
        unknown = [path for path in order if cache is None or cache.newest(path, stamps[path].size, stamps[path].mtime_ns) is None]
        if len(unknown) > PARALLEL_FILES or sum(stamps[path].size for path in unknown) > PARALLEL_BYTES:
            yield from self._parallel(order, unknown)
        else:
            for path in order:
                yield path, self._cached(path) or self._parse(path)

    def _parallel(self, order: list[str], unknown: list[str]) -> Iterator[tuple[str, ParseResult]]:
        """As _results, the `unknown` files parsed by worker processes, batch by batch, newest
        first. A batch whose worker failed (killed, out of memory) is parsed here instead."""
        cut = batches(unknown, self.stamps)
        batch_of = {path: number for number, batch in enumerate(cut) for path, _, _ in batch}
        pool: Executor | None = None
        futures: list[Future[Chunk]] = []
        try:
            pool = self.pool(min(workers(), len(cut)))
            for batch in cut:
                futures.append(pool.submit(parse_batch, batch))
        except (OSError, RuntimeError, ValueError, NotImplementedError):
            futures = []  # no processes to be had (or they died at once): parse here
        ready: dict[str, ParseResult] = {}
        try:
            for path in order:
                number = batch_of.get(path)
                if number is None or not futures:
                    yield path, self._cached(path) or self._parse(path)
                    continue
                if path not in ready:
                    ready.update(self._collect(futures[number], cut[number]))
                yield path, ready.pop(path)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def _collect(self, future: Future[Chunk], batch: list[BatchFile]) -> dict[str, ParseResult]:
        """The results of a batch parsed by a worker (its chunk kept to write to the cache)."""
        self.parsed += len(batch)
        try:
            chunk = future.result()
            results = decode_rows(chunk.files, chunk.rows)
        except Exception:  # the worker died or failed: what it did not give, parse here
            return {path: read_for_search(path) for path, _, _ in batch}
        if self._spool is None:
            self._spool = tempfile.TemporaryFile()
        chunk.texts = Spooled.put(self._spool, unspooled(chunk.texts))
        self.fresh.append(chunk)
        for path in chunk.paths:
            self._home[path] = len(self.fresh) - 1
        return results

    def _cached(self, path: str) -> ParseResult | None:
        stamp = self.stamps[path]
        return None if self.cache is None else self.cache.get(path, stamp.size, stamp.mtime_ns)

    def _parse(self, path: str) -> ParseResult:
        self.parsed += 1
        return read_for_search(path)

    def save_cache(self) -> bool:
        """Write the parse cache when the last load parsed anything or files went away;
        returns whether it was written. Slow for a big archive: call it off the UI thread."""
        cache = self.cache
        if cache is None:
            return False
        with self._lock:
            if self.parsed == 0 and set(cache.index) == set(self.results):
                return False
            if not cache.write(self._chunks_to_write()):
                return False
            # What was parsed is in the cache now: search texts are read from there.
            self._forget_fresh()
            cache.open()
            return True

    def _forget_fresh(self) -> None:
        self.fresh, self._home, self._fresh_texts = [], {}, None
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def _chunks_to_write(self) -> Iterator[Chunk]:
        """Every file's record, in the order the next load reads them (newest first): chunks
        parsed or cached before are written as they are while most of what they hold is
        still current, the other files are encoded afresh."""
        written: set[str] = set()
        looked_at: set[tuple[str, int]] = set()
        loose: list[str] = []
        loose_entries = 0
        for path in [*self.read_order, *self.results]:
            if path in written or path not in self.results:
                continue
            yield from self._whole_chunks(path, looked_at, written)
            if path in written:
                continue
            written.add(path)
            loose.append(path)
            loose_entries += len(self.results[path].entries)
            if loose_entries >= CHUNK_ENTRIES:
                yield self._encode(loose)
                loose, loose_entries = [], 0
        if loose:
            yield self._encode(loose)

    def _whole_chunks(self, path: str, looked_at: set[tuple[str, int]], written: set[str]) -> Iterator[Chunk]:
        """The chunk holding `path` (parsed this time, or in the cache), to write as it is, if
        not looked at before and most of its entries are current."""
        stamp = self.stamps[path]
        fresh = self._home.get(path)
        if fresh is not None and ("fresh", fresh) not in looked_at:
            looked_at.add(("fresh", fresh))
            kept = self._current(self.fresh[fresh], written)
            if kept is not None:
                written.update(kept.paths)
                yield kept
                return
        number = None if self.cache is None else self.cache.chunk_of(path, stamp.size, stamp.mtime_ns)
        if number is not None and ("cache", number) not in looked_at:
            looked_at.add(("cache", number))
            chunk = self.cache.chunk(number) if self.cache is not None else None
            kept = None if chunk is None else self._current(chunk, written)
            if kept is not None:
                written.update(kept.paths)
                yield kept

    def _current(self, chunk: Chunk, written: set[str]) -> Chunk | None:
        """`chunk` with only its files that are current and not written yet, when they hold at
        least half of its entries (else its files are better encoded afresh)."""
        stamps, results = self.stamps, self.results
        files = [
            row for row in chunk.files
            if row[0] in results and row[0] not in written and stamps.get(row[0]) == Stamp(row[1], row[2])
        ]
        if 2 * sum(row[5] for row in files) < chunk.entries:
            return None
        return Chunk(files, chunk.rows, chunk.rows_checksum, chunk.texts, chunk.texts_checksum, chunk.entries)

    def _encode(self, paths: list[str]) -> Chunk:
        results = self.results
        return encode_chunk((path, self.stamps[path], results[path], self._texts_of(path)) for path in paths)

    def search_texts(self, library: Library | None = None) -> list[bytes]:
        """What search looks in for each entry of `library` (by default the last one loaded),
        in its order: from the files parsed here, else from the parse cache, else made from
        each entry's details."""
        entries = (library or self.library).entries
        return self._texts_for(entries)

    def _texts_for(self, entries: list[Entry]) -> list[bytes]:
        with _collector_paused(), self._lock:
            return self._texts_in_order(entries)

    def _texts_in_order(self, entries: list[Entry]) -> list[bytes]:
        sources = dict.fromkeys(map(_SOURCE, entries))
        # In the order the files were read, so that each chunk is decoded once.
        ordered = dict.fromkeys([*(path for path in self.read_order if path in sources), *sources])
        known: dict[int, bytes] = {}
        for path in ordered:
            result = self.results.get(path)
            if result is not None:
                known.update(zip(map(id, result.entries), self._texts_of(path)))
        texts = []
        for entry in entries:
            text = known.get(id(entry))
            texts.append(search_bytes(entry) if text is None else text)
        return texts

    def _texts_of(self, path: str) -> list[bytes]:
        """The search texts of a file's entries (made from their details when none are kept)."""
        result = self.results[path]
        if len(result.search_texts) == len(result.entries):
            return list(result.search_texts)
        stamp = self.stamps[path]
        texts = self._fresh_texts_of(path)
        if texts is None and self.cache is not None:
            texts = self.cache.texts(path, stamp.size, stamp.mtime_ns)
        if texts is None or len(texts) != len(result.entries):
            texts = [search_bytes(entry) for entry in result.entries]
        return texts

    def _fresh_texts_of(self, path: str) -> list[bytes] | None:
        number = self._home.get(path)
        if number is None:
            return None
        chunk = self.fresh[number]
        row = next(row for row in chunk.files if row[0] == path)
        if self.stamps.get(path) != Stamp(row[1], row[2]):
            return None
        if self._fresh_texts is None or self._fresh_texts[0] != number:
            self._fresh_texts = (number, decode_texts(unspooled(chunk.texts)))
        return self._fresh_texts[1][row[4] : row[4] + row[5]]

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
        with self._lock:
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
        library = Library.build(self.results.values(), problems)
        if library.search_texts is None:
            entries = library.entries
            library.search_texts = SearchTexts(len(entries), partial(self._texts_for, entries))
        return library


@contextmanager
def _collector_paused() -> Iterator[list[bool]]:
    """The cycle collector off for the block: a load or the reading of search texts makes a
    million objects and frees none, and the collector would walk them again and again (a third
    of a warm start; refcounting still frees). Append True to the list yielded to freeze what
    exists (gc.freeze) before the collector is back."""
    collecting = gc.isenabled()
    gc.disable()
    freeze: list[bool] = []
    try:
        yield freeze
    finally:
        if collecting:
            if any(freeze):
                gc.freeze()
            gc.enable()


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
