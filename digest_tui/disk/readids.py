"""state.readids: the ids of the entries state.toml marks read, in a binary file that loads in a
few milliseconds, so the reader can tell read rows from unread ones before state.toml is parsed
(a third of a second at 100,000 read marks).

A cache, never the truth. It names the state.toml it was made from (size, mtime_ns and the
CRC-32 of its bytes) and carries a CRC-32 of its own content, so a snapshot that is stale
(another process saved), damaged, truncated or not a snapshot at all is ignored; the store
writes a new one after its next full load or save. Written atomically but not fsynced: it can
always be made again from state.toml.

Layout (integers little-endian):

    MAGIC                    b"digest-tui read ids\\x00\\x01"
    header (_HEADER)         state.toml's size, mtime_ns and CRC-32; how many ids; the byte
                             lengths of the two sections; the CRC-32 of both sections
    plain section            the ids that hold no newline, UTF-8 (surrogatepass), joined by "\\n"
    odd section              a JSON list of the ids that do (an entry id is 12 hex digits, so
                             normally empty)

The plain section comes back with one decode and one split, the set is the rest of the cost.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Collection
from pathlib import Path
from typing import NamedTuple

from digest_tui.disk.atomic import atomic_write_bytes
from digest_tui.disk.files import open_regular_file, read_regular_file

SNAPSHOT_FILE = "state.readids"
"""The snapshot's name, beside state.toml."""

MAGIC = b"digest-tui read ids\x00\x01"
_HEADER = struct.Struct("<QqIQQQI")
_PREFIX = len(MAGIC) + _HEADER.size


class Source(NamedTuple):
    """Which state.toml a snapshot was made from."""

    size: int
    mtime_ns: int
    crc: int


def source_of(data: bytes, info: os.stat_result) -> Source:
    """The Source of a state.toml that holds `data` and has `info` (its stat)."""
    return Source(info.st_size, info.st_mtime_ns, zlib.crc32(data))


def encode(source: Source, ids: Collection[str]) -> bytes:
    """The snapshot of `ids`, the read ids of the state.toml `source` names."""
    text = "\n".join(ids)
    if text.count("\n") == max(len(ids) - 1, 0):  # no id holds a newline: the usual case
        plain, odd = text, []
    else:
        plain, odd = "\n".join(i for i in ids if "\n" not in i), [i for i in ids if "\n" in i]
    first = plain.encode("utf-8", "surrogatepass")
    second = json.dumps(odd).encode("ascii") if odd else b""
    crc = zlib.crc32(second, zlib.crc32(first))
    return MAGIC + _HEADER.pack(*source, len(ids), len(first), len(second), crc) + first + second


def decode(data: bytes) -> tuple[Source, frozenset[str]]:
    """The Source and the ids of a snapshot. Raises ValueError when `data` is not a whole,
    undamaged snapshot."""
    source, count, plain_len, odd_len, crc = _header(data[:_PREFIX])
    if len(data) != _PREFIX + plain_len + odd_len:
        raise ValueError("the snapshot is not as long as its header says")
    plain, odd = data[_PREFIX : _PREFIX + plain_len], data[_PREFIX + plain_len :]
    if zlib.crc32(odd, zlib.crc32(plain)) != crc:
        raise ValueError("the snapshot's checksum does not match")
    return source, _ids(plain, odd, count)


def _header(prefix: bytes) -> tuple[Source, int, int, int, int]:
    if len(prefix) != _PREFIX or not prefix.startswith(MAGIC):
        raise ValueError("not a read-id snapshot of this version")
    size, mtime_ns, state_crc, count, plain_len, odd_len, crc = _HEADER.unpack_from(prefix, len(MAGIC))
    return Source(size, mtime_ns, state_crc), count, plain_len, odd_len, crc


def _ids(plain: bytes, odd: bytes, count: int) -> frozenset[str]:
    try:
        extra = json.loads(odd) if odd else []
    except RecursionError:
        raise ValueError("the snapshot's odd ids are nested too deep") from None
    if not isinstance(extra, list) or not all(isinstance(i, str) and "\n" in i for i in extra):
        raise ValueError("the snapshot's odd ids are not a list of ids")
    plain_count = count - len(extra)
    # "".split("\n") is [""]: no plain ids and one empty id look the same but for the count.
    ids = plain.decode("utf-8", "surrogatepass").split("\n") if plain_count > 0 else []
    result = frozenset(ids).union(extra) if extra else frozenset(ids)
    if len(ids) != plain_count or len(result) != count:
        raise ValueError("the snapshot holds another number of ids than its header says")
    return result


def read(path: Path) -> tuple[Source, frozenset[str]] | None:
    """The snapshot at `path` (its Source and ids), or None when there is none or it is not a
    whole, undamaged one. Never raises; never waits on a FIFO."""
    try:
        return decode(_snapshot_bytes(path, None))
    except (OSError, ValueError):
        return None


def read_fresh(path: Path, state_path: Path) -> tuple[Source, frozenset[str]] | None:
    """The snapshot at `path` (its Source and ids) when it was made from `state_path` as that
    file is now; None when it was not, or cannot be used. Never raises; never waits on a FIFO.

    The cheap checks come first: the header against state.toml's stat, before state.toml's
    bytes are read for their checksum and the ids are decoded.
    """
    try:
        data = _snapshot_bytes(path, state_path)
        source = _header(data[:_PREFIX])[0]
        state = read_regular_file(state_path)
        if len(state) != source.size or zlib.crc32(state) != source.crc:
            return None
        return decode(data)
    except (OSError, ValueError):
        return None


def _snapshot_bytes(path: Path, state_path: Path | None) -> bytes:
    """The bytes of the snapshot at `path`, read only when the header's lengths match the
    file's (a big file that is no snapshot is not read) and, given `state_path`, its size and
    mtime_ns match that file's. Raises OSError or ValueError."""
    with open_regular_file(path) as handle:
        prefix = handle.read(_PREFIX)
        source, _, plain_len, odd_len, _ = _header(prefix)
        if os.fstat(handle.fileno()).st_size != _PREFIX + plain_len + odd_len:
            raise ValueError("the snapshot is not as long as its header says")
        if state_path is not None and (source.size, source.mtime_ns) != _stat(state_path):
            raise ValueError("the snapshot was made from another state file")
        return prefix + handle.read()


def _stat(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns


def write(path: Path, source: Source, ids: Collection[str]) -> bool:
    """Write the snapshot of `ids` for the state.toml `source` names to `path`, atomically, not
    durably; returns whether it could (a snapshot that is not written is only not there)."""
    try:
        atomic_write_bytes(path, encode(source, ids), durable=False)
    except OSError:
        return False
    return True
