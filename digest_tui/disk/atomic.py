"""Atomic file writes (a reader sees the old file or the new one, never a torn one), and
the lock that keeps writers in other processes from losing each other's changes."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import filelock

TEMP_SUFFIX = ".tmp"
LOCK_POLL = 0.01
"""Seconds between two tries of a lock another process holds."""


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` via a fsynced temporary file in the same directory and os.replace.

    Raises OSError (read-only directory, full disk, …); the old file is then untouched.
    """
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` atomically; see atomic_file."""
    with atomic_file(path, durable=durable) as handle:
        handle.write(data)


@contextmanager
def atomic_file(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """A file to write that replaces `path` when the block ends without an exception; on one,
    the file is removed and `path` is untouched. For writing more than fits in memory at once.

    durable: fsync the file and its directory, so that the new content survives a crash of
    the machine (a cache that can be made again can skip that). An existing file keeps its
    permission bits; a new one gets those of mkstemp (0600). A symlink stays a symlink: the
    file it points to is the one replaced. Raises OSError (read-only directory, full disk …).
    """
    path = _target(path)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            try:
                os.fchmod(handle.fileno(), stat.S_IMODE(os.stat(path).st_mode))
            except OSError:
                pass  # no old file, or a filesystem without modes
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if durable:
        _fsync_dir(path.parent)


def remove_stale_temp_files(path: Path, older_than: float = 1.0) -> int:
    """Remove temporary files a killed writer of `path` left behind; returns how many.

    Only call this while holding a lock that keeps other writers of `path` out, or with an age
    limit that spares a writer still at work.
    """
    path = _target(path)  # where atomic_file puts them
    prefix = _temp_prefix(path)
    removed = 0
    now = time.time()
    try:
        names = os.listdir(path.parent)
    except OSError:
        return 0
    for name in names:
        if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX)):
            continue
        candidate = path.parent / name
        try:
            if now - candidate.stat().st_mtime >= older_than:
                candidate.unlink()
                removed += 1
        except OSError:
            pass
    return removed


def _target(path: Path) -> Path:
    """The file behind `path` when it is a symlink (a dotfile manager's link, say): replacing
    the link itself by a regular file would cut it off from what it manages."""
    return Path(os.path.realpath(path))


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, and harmless to skip.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class WaitedLock:
    """The lock file at `path` (state.toml.lock, say) held for a `with` block: waited for up to
    `timeout` seconds, then the block runs without it.

    Writing unlocked risks the other process's latest change; not writing risks ours. So a
    holder that does not let go, a read-only directory or a filesystem without locks never
    stops the block: `problem` then says, in a sentence for the user, why it ran unlocked.
    The lock is filelock's: flock(2) where there is one, the Windows lock on Windows, a lock
    file of its own elsewhere.
    """

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.held = False
        self.problem: str | None = None
        self._lock: filelock.BaseFileLock | None = None

    def __enter__(self) -> WaitedLock:
        lock = filelock.FileLock(self.path, timeout=self.timeout, poll_interval=LOCK_POLL)
        try:
            lock.acquire()
        except filelock.Timeout:
            self.problem = f"another process held {self.path.name} for {self.timeout:g} s"
        except OSError as error:  # no lock file can be made there (a read-only directory) …
            self.problem = f"{self.path.name} could not be locked ({error.strerror or error})"
        else:
            self._lock = lock
            self.held = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            try:
                self._lock.release()
            except OSError:
                pass  # the lock goes with the descriptor filelock closes
            self._lock = None
            self.held = False
