"""The parse cache: what each digest file parsed into, so a warm start reads no digest twice.

One file, <cache_dir>/parsed.cache, rewritten whole (atomically) after a load that parsed
anything. A record is found by the file's path and used only while the file still has the
size and modification time it had when it was parsed. The cache holds plain data only
(strings, numbers, lists and tuples, written with `marshal`), checked field by field when
read back. The index and every record carry a blake2b checksum of their bytes, compared
before they are decoded: a damaged record is not used (its file is parsed again, and the
next write replaces the record), a damaged index, a cache from another version or one that
cannot be read is ignored, and one that cannot be written is simply not written. The
checksums find damage (a bad disk, a torn copy, a stray edit), not forgery: they carry no key.

Layout: MAGIC, one blob per file, the index, the index's checksum (CHECKSUM_BYTES), the
length of the index (8 bytes, little-endian) and MAGIC again, so the file is written in one
pass. The index is marshal data: (version, [(path, size, mtime_ns, newest, offset, length,
checksum)]), `newest` being the latest date in the file (a proleptic ordinal, 0 if none),
offset and length placing the file's blob after the first MAGIC, and checksum the blob's.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Iterable, Iterator
from datetime import date
from io import BufferedReader
from itertools import chain, repeat
from operator import sub
from pathlib import Path
from typing import BinaryIO

from digest_tui import __version__
from digest_tui.digest.model import Entry, Problem, Stamp
from digest_tui.digest.parse import ParseResult
from digest_tui.disk.atomic import atomic_file, remove_stale_temp_files
from digest_tui.disk.files import open_regular_file

MAGIC = b"digest-tui parse cache\n\x02"
CACHE_FILE = "parsed.cache"
FORMAT = 3
CHECKSUM_BYTES = 16


def _code_version() -> str:
    """The version, and a digest of the code that makes what the cache holds: a cache made by
    other code (another release, or a parser changed in a checkout) is not used."""
    from digest_tui.digest import library, links, model, parse, search

    digest = hashlib.blake2b(digest_size=8)
    for module in (parse, library, links, model, search):
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:
            digest.update(module.__name__.encode())
    return f"{__version__}/{FORMAT}/{digest.hexdigest()}"


VERSION = _code_version()
"""Written into the index; a cache written by any other version is not used."""
_LENGTH = 8
STALE_TEMP_SECONDS = 600
_MAX_INDEX = 1 << 30

Row = tuple[int, int, int, int, int, bytes]
"""An index row without its path: (size, mtime_ns, newest, offset, length, checksum)."""
Blob = tuple[str, int, int, int, bytes | memoryview, bytes]
"""A record to write: (path, size, mtime_ns, newest, blob, checksum of the blob)."""


class ParseCache:
    """Read records from one cache file and write a new one; never raises OSError or ValueError."""

    def __init__(self, directory: Path | None) -> None:
        self.path = Path(directory) / CACHE_FILE if directory is not None else None
        self._file: BufferedReader | None = None
        self._base = 0
        self.index: dict[str, Row] = {}
        """path -> (size, mtime_ns, newest, offset, length, checksum) of each record in the file."""
        """Why the cache was not used or not written, for the curious (never shown as an error)."""
        self._dates: dict[int, date] = {}
        self._buffer = bytearray(1 << 20)

    # -- reading -----------------------------------------------------------------------------

    def open(self) -> None:
        """Read the index of the cache file, if there is a usable one."""
        self.close()
        if self.path is None:
            return
        try:
            handle = open_regular_file(self.path)  # a FIFO put here must not block the start
        except OSError:
            return  # no cache, or one that cannot be read: every file is parsed
        try:
            self.index = self._read_index(handle)
            self._file = handle
            self._base = len(MAGIC)
        except Exception:  # damaged, foreign or truncated: start afresh
            handle.close()
            self.index = {}

    @staticmethod
    def _read_index(handle: BinaryIO) -> dict[str, Row]:
        if handle.read(len(MAGIC)) != MAGIC:
            raise ValueError("not a parse cache of this format")
        end = handle.seek(0, os.SEEK_END)
        footer = CHECKSUM_BYTES + _LENGTH + len(MAGIC)
        if end < len(MAGIC) + footer:
            raise ValueError("truncated")
        handle.seek(end - footer)
        tail = handle.read(footer)
        checksum, length = tail[:CHECKSUM_BYTES], int.from_bytes(tail[CHECKSUM_BYTES:-len(MAGIC)], "little")
        if tail[-len(MAGIC):] != MAGIC or not 0 < length <= end - len(MAGIC) - footer or length > _MAX_INDEX:
            raise ValueError("truncated or damaged")
        handle.seek(end - footer - length)
        data = handle.read(length)
        # Checked before marshal sees it: marshal is not meant for damaged data.
        if _checksum(data) != checksum:
            raise ValueError("damaged index (checksum mismatch)")
        version, rows = marshal.loads(data)
        if version != VERSION:
            raise ValueError(f"written by version {version!r}")
        limit = end - footer - length - len(MAGIC)
        index = {}
        for path, size, mtime, newest, offset, blob_length, blob_checksum in rows:
            if type(path) is not str or not all(type(n) is int and n >= 0 for n in (size, mtime, newest, offset, blob_length)):
                raise ValueError("bad index row")
            if type(blob_checksum) is not bytes or len(blob_checksum) != CHECKSUM_BYTES:
                raise ValueError("bad index row")
            if offset + blob_length > limit:
                raise ValueError("record past the end")
            index[path] = (size, mtime, newest, offset, blob_length, blob_checksum)
        return index

    def newest(self, path: str, size: int, mtime_ns: int) -> int | None:
        """The latest date in the file, as an ordinal, when a fresh record of it is cached."""
        row = self.index.get(path)
        if row is None or row[0] != size or row[1] != mtime_ns:
            return None
        return row[2]

    def get(self, path: str, size: int, mtime_ns: int) -> ParseResult | None:
        """The cached result for the file at `path`, if it was parsed at this size and time."""
        row = self.index.get(path)
        if row is None or row[0] != size or row[1] != mtime_ns or self._file is None:
            return None
        try:
            return self._decode(path, Stamp(size, mtime_ns), self._blob(row))
        except Exception:  # a damaged record: the file is parsed again, and its record replaced
            del self.index[path]
            return None

    def _blob(self, row: Row) -> memoryview:
        """The record's bytes, in a buffer reused for the next record; ValueError when they
        do not match the record's checksum."""
        assert self._file is not None
        length = row[4]
        if len(self._buffer) < length:
            self._buffer = bytearray(max(length, 2 * len(self._buffer)))
        view = memoryview(self._buffer)[:length]
        self._file.seek(self._base + row[3])
        if self._file.readinto(view) != length:
            raise ValueError("truncated record")
        if _checksum(view) != row[5]:
            raise ValueError("damaged record (checksum mismatch)")
        return view

    def _decode(self, source: str, stamp: Stamp, blob: bytes | memoryview) -> ParseResult:
        columns = marshal.loads(blob)
        if type(columns) is not tuple or len(columns) != 13:
            raise ValueError("bad record")
        ids, ordinals, titles, tags, lines, end_lines, arxiv_ids, starts, ends, texts, p_lines, p_messages, p_ends = columns
        count = len(ids)
        plain = ((ids, str), (ordinals, int), (titles, str), (lines, int), (end_lines, int), (arxiv_ids, str), (starts, int), (ends, int))
        for column, kind in (*plain, (texts, bytes)):
            _check(column, kind, count)
        if count and (min(starts) < 0 or min(map(sub, ends, starts)) < 0):
            raise ValueError("bad place in the file")
        _check(tags, tuple, count)
        names = list(chain.from_iterable(tags))
        _check(names, str, len(names))
        problems = len(p_lines)
        for column, kind in ((p_lines, int), (p_messages, str), (p_ends, int)):
            _check(column, kind, problems)
        dates = self._dates
        days = []
        for ordinal in ordinals:
            day = dates.get(ordinal)
            if day is None:
                day = dates[ordinal] = date.fromordinal(ordinal)  # ValueError when out of range
            days.append(day)
        entries = list(map(Entry, ids, days, titles, tags, repeat(source), lines, end_lines, arxiv_ids, starts, ends, repeat(stamp)))
        return ParseResult(entries, list(map(Problem, repeat(source), p_lines, p_messages, p_ends)), list(texts))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    # -- writing -----------------------------------------------------------------------------

    def write(self, records: Iterable[tuple[str, int, int, ParseResult]]) -> bool:
        """Replace the cache file with records of these files (path, size, mtime_ns, result).

        Records the open cache holds for the same file at the same size and time are copied
        as they are, once their checksum matches. Returns whether the file was written.
        """
        return self._write_blobs(self._blobs(records))

    def _blobs(self, records: Iterable[tuple[str, int, int, ParseResult]]) -> Iterator[Blob]:
        """Each record's blob: copied (checksum verified) when it can be, else encoded."""
        for path, size, mtime, result in records:
            row = self._reusable(path, size, mtime)
            if row is not None:
                yield path, size, mtime, *row
                continue
            blob = encode(result)
            newest = max((entry.date.toordinal() for entry in result.entries), default=0)
            yield path, size, mtime, newest, blob, _checksum(blob)

    def _write_blobs(self, blobs: Iterable[Blob]) -> bool:
        """Replace the cache file with these records."""
        if self.path is None:
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Another reader may be writing one now: only what a killed writer left is old.
            remove_stale_temp_files(self.path, older_than=STALE_TEMP_SECONDS)
            rows = []
            # Not fsynced: a cache lost in a crash of the machine is only parsed again.
            with atomic_file(self.path, durable=False) as out:
                out.write(MAGIC)
                offset = 0
                for path, size, mtime, newest, blob, checksum in blobs:
                    out.write(blob)
                    rows.append((path, size, mtime, newest, offset, len(blob), checksum))
                    offset += len(blob)
                index = marshal.dumps((VERSION, rows))
                out.write(index)
                out.write(_checksum(index))
                out.write(len(index).to_bytes(_LENGTH, "little"))
                out.write(MAGIC)
            return True
        except (OSError, ValueError):
            return False  # the cache only saves time: the next start parses again

    def _reusable(self, path: str, size: int, mtime: int) -> tuple[int, memoryview, bytes] | None:
        """(newest, blob, checksum) of the open cache's record of this file at this size and time."""
        row = self.index.get(path)
        if row is None or row[0] != size or row[1] != mtime or self._file is None:
            return None
        try:
            return row[2], self._blob(row), row[5]
        except (OSError, ValueError):
            return None


def encode(result: ParseResult) -> bytes:
    """A file's record: its entries and problems as columns of plain values."""
    entries = result.entries
    texts = result.search_texts
    if len(texts) != len(entries):
        from digest_tui.digest.search import search_bytes

        texts = [search_bytes(entry) for entry in entries]
    problems = result.problems
    return marshal.dumps(
        (
            [e.id for e in entries],
            [e.date.toordinal() for e in entries],
            [e.title for e in entries],
            [e.tags for e in entries],
            [e.line for e in entries],
            [e.end_line for e in entries],
            [e.arxiv_id for e in entries],
            [e.start for e in entries],
            [e.end for e in entries],
            list(texts),
            [p.line for p in problems],
            [p.message for p in problems],
            [p.end_line for p in problems],
        )
    )


def _checksum(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=CHECKSUM_BYTES).digest()


def _check(column: object, kind: type, count: int) -> None:
    """`column` is a list or tuple of `count` values, each exactly of type `kind`."""
    if type(column) not in (list, tuple) or len(column) != count:  # type: ignore[arg-type]
        raise ValueError("bad column")
    if count and set(map(type, column)) != {kind}:  # type: ignore[call-overload]
        raise ValueError("bad column")
