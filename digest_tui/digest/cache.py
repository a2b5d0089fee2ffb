"""The parse cache: what each digest file parsed into, so a warm start reads no digest twice.

One file, <cache_dir>/parsed.cache, rewritten whole (atomically) after a load that parsed
anything. A file's record is found by its path and used only while the file still has the
size and modification time it had when it was parsed. The cache holds plain data only
(strings, numbers, bytes, lists and tuples, written with `marshal`), checked field by field
when read back. The index and every blob carry a blake2b checksum of their bytes, compared
before they are decoded: a damaged blob is not used (its files are parsed again, and the next
write replaces it), a damaged index, a cache from another version or one that cannot be read
is ignored, and one that cannot be written is simply not written. The checksums find damage
(a bad disk, a torn copy, a stray edit), not forgery: they carry no key.

Files are stored in chunks: the files parsed together (a batch of a cold load, newest first)
share one blob of rows (the columns of all their entries and problems: what the library needs
at start, decoded at a few hundred files a call) and one blob of search texts (read only when
a search index is built). A file's record is its place in its chunk.

Layout: MAGIC, the chunks' blobs, the index, the index's checksum (CHECKSUM_BYTES), the
length of the index (8 bytes, little-endian) and MAGIC again, so the file is written in one
pass. The index is marshal data: (version, files, chunks), each a tuple of columns. files:
paths, sizes, mtimes (ns), newest dates (proleptic ordinals, 0 if none), chunk numbers, and
each file's first entry, entry count, first problem and problem count in its chunk. chunks:
the offset, length and checksum of its rows blob and of its texts blob (offsets counted from
the end of the first MAGIC), and how many entries it holds.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
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

MAGIC = b"digest-tui parse cache\n\x04"
CACHE_FILE = "parsed.cache"
FORMAT = 4
CHECKSUM_BYTES = 16
CHUNK_ENTRIES = 1000
"""Files are gathered into chunks of about this many entries when the cache is written."""


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
_ROW_COLUMNS = 12

FileRow = tuple[str, int, int, int, int, int, int, int]
"""A file in a chunk: (path, size, mtime_ns, newest, first entry, entries, first problem, problems)."""
IndexRow = tuple[int, int, int, int, int, int, int, int]
"""A file in the index, without its path: (size, mtime_ns, newest, chunk, first entry,
entries, first problem, problems)."""
ChunkRow = tuple[int, int, bytes, int, int, bytes, int]
"""A chunk in the index: (rows offset, rows length, rows checksum, texts offset, texts length,
texts checksum, entries)."""


@dataclass(frozen=True, slots=True)
class Spooled:
    """Bytes set aside in a temporary file (search texts parsed this time, until they are in
    the cache): a cold load of 100,000 entries would otherwise hold 230 MB of them."""

    file: BinaryIO
    offset: int
    length: int

    @classmethod
    def put(cls, file: BinaryIO, data: bytes | memoryview) -> Spooled:
        offset = file.seek(0, os.SEEK_END)
        file.write(data)
        return cls(file, offset, len(data))

    def read(self) -> bytes:
        self.file.seek(self.offset)
        data = self.file.read(self.length)
        if len(data) != self.length:
            raise ValueError("spooled bytes cut short")
        return data

    def copy_to(self, out: BinaryIO) -> None:
        self.file.seek(self.offset)
        left = self.length
        while left:
            piece = self.file.read(min(left, 1 << 20))
            if not piece:
                raise ValueError("spooled bytes cut short")
            out.write(piece)
            left -= len(piece)

    def __len__(self) -> int:
        return self.length


Blob = bytes | memoryview | Spooled


def unspooled(blob: Blob) -> bytes | memoryview:
    return blob.read() if isinstance(blob, Spooled) else blob


@dataclass(slots=True)
class Chunk:
    """Files stored together: their rows and their search texts, encoded, with checksums."""

    files: list[FileRow]
    rows: bytes | memoryview
    rows_checksum: bytes
    texts: Blob
    texts_checksum: bytes
    entries: int = 0
    """How many entries the chunk holds (of its files or not)."""

    @property
    def paths(self) -> list[str]:
        return [row[0] for row in self.files]


def encode_chunk(files: Iterable[tuple[str, Stamp, ParseResult, Sequence[bytes]]]) -> Chunk:
    """A chunk of these files: (path, stamp, parsed result, its entries' search texts)."""
    rows: list[FileRow] = []
    entries: list[Entry] = []
    problems: list[Problem] = []
    texts: list[bytes] = []
    for path, stamp, result, file_texts in files:
        newest = max((entry.date.toordinal() for entry in result.entries), default=0)
        rows.append((path, stamp.size, stamp.mtime_ns, newest, len(entries), len(result.entries), len(problems), len(result.problems)))
        entries.extend(result.entries)
        problems.extend(result.problems)
        texts.extend(file_texts)
    if len(texts) != len(entries):
        raise ValueError("a search text for each entry is needed")
    blob = marshal.dumps(
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
            [p.line for p in problems],
            [p.message for p in problems],
            [p.end_line for p in problems],
        )
    )
    text_blob = marshal.dumps(texts)
    return Chunk(rows, blob, _checksum(blob), text_blob, _checksum(text_blob), len(entries))


_new_entry = partial(tuple.__new__, Entry)
_DATES: dict[int, date] = {}
"""Dates by ordinal: an archive has a few thousand days, and each is made once."""


def decode_rows(files: list[FileRow], blob: bytes | memoryview) -> dict[str, ParseResult]:
    """Each file's entries (without details) and problems from a chunk's rows blob; ValueError
    when the blob is not what encode_chunk makes."""
    columns = marshal.loads(blob)
    if type(columns) is not tuple or len(columns) != _ROW_COLUMNS:
        raise ValueError("bad record")
    ids, ordinals, titles, tags, lines, end_lines, arxiv_ids, starts, ends, p_lines, p_messages, p_ends = columns
    count = len(ids)
    for column, kind in ((ids, str), (ordinals, int), (titles, str), (lines, int), (end_lines, int), (arxiv_ids, str), (starts, int), (ends, int)):
        _check(column, kind, count)
    if count and (min(starts) < 0 or min(map(sub, ends, starts)) < 0):
        raise ValueError("bad place in the file")
    _check(tags, tuple, count)
    names = list(chain.from_iterable(tags))
    _check(names, str, len(names))
    problems = len(p_lines)
    for column, kind in ((p_lines, int), (p_messages, str), (p_ends, int)):
        _check(column, kind, problems)
    for ordinal in set(ordinals).difference(_DATES):
        _DATES[ordinal] = date.fromordinal(ordinal)  # ValueError when out of range
    days = list(map(_DATES.__getitem__, ordinals))
    sources: list[str] = []
    stamps: list[Stamp] = []
    results: dict[str, ParseResult] = {}
    for path, size, mtime, _newest, first, entries, first_problem, problem_count in files:
        if first + entries > count or first_problem + problem_count > problems:
            raise ValueError("a file past the end of its chunk")
        sources.extend(repeat(path, entries))
        stamps.extend(repeat(Stamp(size, mtime), entries))
    # Entry's fields in order, made into entries by tuple.__new__ in C (Entry(...) runs Python).
    made = list(map(_new_entry, zip(ids, days, titles, tags, sources, lines, end_lines, arxiv_ids, starts, ends, stamps, repeat(None))))
    for path, _size, _mtime, _newest, first, entries, first_problem, problem_count in files:
        end = first_problem + problem_count
        found = list(map(Problem, repeat(path), p_lines[first_problem:end], p_messages[first_problem:end], p_ends[first_problem:end]))
        results[path] = ParseResult(made[first : first + entries], found)
    return results


def decode_texts(blob: bytes | memoryview) -> list[bytes]:
    """The search texts of a chunk's entries; ValueError when the blob holds anything else."""
    texts = marshal.loads(blob)
    _check(texts, bytes, len(texts) if type(texts) is list else -1)
    return list(texts)


@dataclass(slots=True)
class _Reading:
    """What the open cache has decoded and not yet handed out."""

    rows: dict[int, dict[str, ParseResult]] = field(default_factory=dict)
    texts: tuple[int, list[bytes]] | None = None


class ParseCache:
    """Read records from one cache file and write a new one; never raises OSError or ValueError."""

    def __init__(self, directory: Path | None) -> None:
        self.path = Path(directory) / CACHE_FILE if directory is not None else None
        self._file: BufferedReader | None = None
        self._base = 0
        self.index: dict[str, IndexRow] = {}
        """path -> (size, mtime_ns, newest, chunk, first entry, entries, first problem, problems)."""
        self.chunks: list[ChunkRow] = []
        self._reading = _Reading()
        self._members: dict[int, list[FileRow]] | None = None

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
            self.index, self.chunks = self._read_index(handle)
            self._file = handle
            self._base = len(MAGIC)
        except Exception:  # damaged, foreign or truncated: start afresh
            handle.close()
            self.index, self.chunks = {}, []

    @staticmethod
    def _read_index(handle: BinaryIO) -> tuple[dict[str, IndexRow], list[ChunkRow]]:
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
        version, files, chunks = marshal.loads(data)
        if version != VERSION:
            raise ValueError(f"written by version {version!r}")
        chunk_rows = _chunks_index(chunks, end - footer - length - len(MAGIC))
        return _files_index(files, len(chunk_rows)), chunk_rows

    def newest(self, path: str, size: int, mtime_ns: int) -> int | None:
        """The latest date in the file, as an ordinal, when a fresh record of it is cached."""
        row = self._row(path, size, mtime_ns)
        return None if row is None else row[2]

    def _row(self, path: str, size: int, mtime_ns: int) -> IndexRow | None:
        row = self.index.get(path)
        if row is None or row[0] != size or row[1] != mtime_ns or self._file is None:
            return None
        return row

    def get(self, path: str, size: int, mtime_ns: int) -> ParseResult | None:
        """The cached entries (without details) and problems of the file at `path`, if it was
        parsed at this size and time. Its search texts are read by texts()."""
        row = self._row(path, size, mtime_ns)
        if row is None:
            return None
        number = row[3]
        decoded = self._reading.rows.get(number)
        if decoded is None:
            try:
                decoded = self._decode_rows(number)
            except Exception:  # a damaged chunk: its files are parsed again, and it is replaced
                self._drop_chunk(number)
                return None
            self._reading.rows[number] = decoded
        result = decoded.pop(path, None)
        if not decoded:
            del self._reading.rows[number]
        return result

    def _decode_rows(self, number: int) -> dict[str, ParseResult]:
        offset, length, checksum = self.chunks[number][:3]
        return decode_rows(self._files_of(number), self._read(offset, length, checksum))

    def _files_of(self, number: int) -> list[FileRow]:
        """The files the index keeps in chunk `number`."""
        if self._members is None:
            self._members = {}
            for path, (size, mtime, newest, chunk, first, entries, first_problem, problems) in self.index.items():
                self._members.setdefault(chunk, []).append((path, size, mtime, newest, first, entries, first_problem, problems))
        return self._members.get(number, [])

    def texts(self, path: str, size: int, mtime_ns: int) -> list[bytes] | None:
        """The search texts of the file's entries, in their order, if a fresh and undamaged
        record of it is cached."""
        row = self._row(path, size, mtime_ns)
        if row is None:
            return None
        number, first, entries = row[3], row[4], row[5]
        last = self._reading.texts
        if last is not None and last[0] == number:
            texts = last[1]
        else:
            _, _, _, offset, length, checksum, _ = self.chunks[number]
            try:
                texts = decode_texts(self._read(offset, length, checksum))
            except Exception:
                return None
            self._reading.texts = (number, texts)
        if first + entries > len(texts):
            return None
        return texts[first : first + entries]

    def chunk(self, number: int) -> Chunk | None:
        """Chunk `number` as it is stored, with the files the index keeps in it; None when
        it cannot be read or does not match its checksums."""
        offset, length, checksum, texts_offset, texts_length, texts_checksum, entries = self.chunks[number]
        try:
            rows = self._read(offset, length, checksum)
            texts = self._read(texts_offset, texts_length, texts_checksum)
        except Exception:
            return None
        return Chunk(self._files_of(number), rows, checksum, texts, texts_checksum, entries)

    def chunk_of(self, path: str, size: int, mtime_ns: int) -> int | None:
        row = self._row(path, size, mtime_ns)
        return None if row is None else row[3]

    def _read(self, offset: int, length: int, checksum: bytes) -> bytes:
        """Bytes of the file; ValueError when they do not match their checksum."""
        assert self._file is not None
        self._file.seek(self._base + offset)
        data = self._file.read(length)
        if len(data) != length:
            raise ValueError("truncated record")
        if _checksum(data) != checksum:
            raise ValueError("damaged record (checksum mismatch)")
        return data

    def _drop_chunk(self, number: int) -> None:
        for path in [path for path, row in self.index.items() if row[3] == number]:
            del self.index[path]
        self._members = None

    def close(self) -> None:
        self._reading = _Reading()
        self._members = None
        if self._file is not None:
            self._file.close()
            self._file = None

    # -- writing -----------------------------------------------------------------------------

    def write(self, chunks: Iterable[Chunk]) -> bool:
        """Replace the cache file with these chunks; returns whether the file was written.
        The chunks may be read from the open cache meanwhile (chunk())."""
        if self.path is None:
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Another reader may be writing one now: only what a killed writer left is old.
            remove_stale_temp_files(self.path, older_than=STALE_TEMP_SECONDS)
            files: list[FileRow] = []
            numbers: list[int] = []
            rows: list[ChunkRow] = []
            # Not fsynced: a cache lost in a crash of the machine is only parsed again.
            with atomic_file(self.path, durable=False) as out:
                out.write(MAGIC)
                offset = 0
                for chunk in chunks:
                    out.write(chunk.rows)
                    if isinstance(chunk.texts, Spooled):
                        chunk.texts.copy_to(out)
                    else:
                        out.write(chunk.texts)
                    rows_length, texts_length = len(chunk.rows), len(chunk.texts)
                    rows.append((offset, rows_length, chunk.rows_checksum, offset + rows_length, texts_length, chunk.texts_checksum, chunk.entries))
                    offset += rows_length + texts_length
                    files.extend(chunk.files)
                    numbers.extend(repeat(len(rows) - 1, len(chunk.files)))
                index = marshal.dumps((VERSION, _file_columns(files, numbers), tuple(map(list, zip(*rows))) or ([],) * 7))
                out.write(index)
                out.write(_checksum(index))
                out.write(len(index).to_bytes(_LENGTH, "little"))
                out.write(MAGIC)
            return True
        except (OSError, ValueError):
            return False  # the cache only saves time: the next start parses again


def _file_columns(files: list[FileRow], numbers: list[int]) -> tuple[list[object], ...]:
    columns: list[list[object]] = [list(column) for column in zip(*files)] or [[] for _ in range(8)]
    # The chunk number goes after the newest date: the index row's order.
    return (*columns[:4], list(numbers), *columns[4:])


def _files_index(files: object, chunk_count: int) -> dict[str, IndexRow]:
    """The index's file columns as path -> IndexRow, each value checked."""
    if type(files) is not tuple or len(files) != 9:
        raise ValueError("bad index")
    paths, *numbers = files
    count = len(paths)
    _check(paths, str, count)
    for column in numbers:
        _check(column, int, count)
        if count and min(column) < 0:
            raise ValueError("bad index row")
    if count and max(numbers[3]) >= chunk_count:
        raise ValueError("a file in no chunk")
    return dict(zip(paths, zip(*numbers)))


def _chunks_index(chunks: object, limit: int) -> list[ChunkRow]:
    if type(chunks) is not tuple or len(chunks) != 7:
        raise ValueError("bad index")
    offsets, lengths, checksums, text_offsets, text_lengths, text_checksums, entries = chunks
    count = len(offsets)
    for column in (offsets, lengths, text_offsets, text_lengths, entries):
        _check(column, int, count)
        if count and min(column) < 0:
            raise ValueError("bad index row")
    for column in (checksums, text_checksums):
        _check(column, bytes, count)
        if count and {len(checksum) for checksum in column} != {CHECKSUM_BYTES}:
            raise ValueError("bad index row")
    if count and max(max(map(sum, zip(offsets, lengths))), max(map(sum, zip(text_offsets, text_lengths)))) > limit:
        raise ValueError("record past the end")
    return list(zip(offsets, lengths, checksums, text_offsets, text_lengths, text_checksums, entries))


def _checksum(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=CHECKSUM_BYTES).digest()


def _check(column: object, kind: type, count: int) -> None:
    """`column` is a list or tuple of `count` values, each exactly of type `kind`."""
    if type(column) not in (list, tuple) or len(column) != count:  # type: ignore[arg-type]
        raise ValueError("bad column")
    if count and set(map(type, column)) != {kind}:  # type: ignore[call-overload]
        raise ValueError("bad column")
