"""The search index of a big library, kept beside the parse cache.

A library of INDEX_FROM entries or more is searched through a token index (tokens.py) once
there is one: opened, memory-mapped, when the library is installed, or else built by another
process while the scan answers searches. The index belongs to one library: its key is the
hash of the entries' ids in their order, since the index names entries by their position.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import struct
from collections.abc import Sequence
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from digest_tui.digest.model import Entry
from digest_tui.digest.pool import ready_for_processes

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from digest_tui.digest.tokens import TokenIndex

INDEX_FILE = "search.index"
INDEX_FROM = 10_000
"""Below this many entries the scan answers a keystroke in a few milliseconds: no index."""

_ID = attrgetter("id")


def library_key(entries: Sequence[Entry]) -> bytes:
    """What the index of `entries` is saved for: their ids in their order."""
    return hashlib.blake2b("\n".join(map(_ID, entries)).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def wanted(entries: Sequence[Entry], directory: Path | None) -> bool:
    return directory is not None and len(entries) >= INDEX_FROM


def open_index(directory: Path | None, entries: Sequence[Entry]) -> TokenIndex | None:
    """The saved index of `entries`, if there is one (a few milliseconds: nothing is read but
    its header)."""
    if directory is None or not wanted(entries, directory):
        return None
    # numpy comes with the index, never with the first paint of a small library.
    from digest_tui.digest.tokens import TokenIndex

    return TokenIndex.open(directory / INDEX_FILE, library_key(entries), len(entries))


class IndexBuild:
    """Builds the index of a library in another process and opens it: the build's seconds of
    CPU and its memory (several times the texts') are never the reader's own."""

    def __init__(self, directory: Path, entries: Sequence[Entry]) -> None:
        self.path = directory / INDEX_FILE
        self.key = library_key(entries)
        self.count = len(entries)
        self.process: BaseProcess | None = None
        self.stopped = False

    def run(self, texts: Sequence[bytes]) -> TokenIndex | None:
        """Build from each entry's search text and open the result; None when the build failed
        or was stopped (searches keep scanning)."""
        from digest_tui.digest.tokens import TokenIndex

        handed = self.path.with_name(self.path.name + ".texts")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Through a file, text by text: pickling them would hold a second copy of them
            # all in the reader while it is sent.
            write_texts(handed, texts)
            # A fork server, never a fork: the reader has threads. A daemon, so that quitting
            # the reader ends a build under way instead of waiting for it.
            context = multiprocessing.get_context("forkserver")
            self.process = context.Process(target=build_from_file, args=(str(handed), str(self.path), self.key), daemon=True)
            if self.stopped:
                return None
            ready_for_processes()
            self.process.start()
            self.process.join()
        except (OSError, RuntimeError, ValueError, MemoryError):
            # No process to be had (RuntimeError: multiprocessing refuses to start one while
            # the main module is still being imported): searches keep scanning.
            return None
        finally:
            handed.unlink(missing_ok=True)
        if self.process.exitcode != 0:
            return None
        return TokenIndex.open(self.path, self.key, self.count)

    def stop(self) -> None:
        """End a build under way (the reader is quitting, or a newer library replaced this one)."""
        self.stopped = True
        process = self.process
        if process is not None and process.is_alive():
            process.kill()


_LENGTH = struct.Struct("<I")


def write_texts(path: Path, texts: Sequence[bytes]) -> None:
    """Each text with its length before it."""
    with open(path, "wb") as out:
        for text in texts:
            out.write(_LENGTH.pack(len(text)))
            out.write(text)


def read_texts(path: Path) -> list[bytes]:
    data = path.read_bytes()
    texts, place, size = [], 0, len(data)
    while place < size:
        (length,) = _LENGTH.unpack_from(data, place)
        place += _LENGTH.size
        texts.append(data[place : place + length])
        place += length
    return texts


def build_from_file(texts_path: str, path: str, key: bytes) -> None:
    """In the building process: the texts written by write_texts, indexed and saved at `path`."""
    from digest_tui.digest.tokens import build_and_save

    build_and_save(read_texts(Path(texts_path)), path, key)
