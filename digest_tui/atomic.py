"""Atomic file writes (a reader sees the old file or the new one, never a torn one), and
the lock that keeps writers in other processes from losing each other's changes."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on this platform: writers go without the lock
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".tmp"


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` via a fsynced temporary file in the same directory and os.replace.

    Raises OSError (read-only directory, full disk, …); the old file is then untouched.
    """
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically; see atomic_write_text.

    An existing file keeps its permission bits; a new one gets those of mkstemp (0600).
    A symlink stays a symlink: the file it points to is the one replaced.
    """
    path = _target(path)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            try:
                os.fchmod(handle.fileno(), stat.S_IMODE(os.stat(path).st_mode))
            except OSError:
                pass  # no old file, or a filesystem without modes
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def remove_stale_temp_files(path: Path, older_than: float = 1.0) -> int:
    """Remove temporary files a killed writer of `path` left behind; returns how many.

    Only call this while holding a lock that keeps other writers of `path` out; the age
    limit spares a writer that could not take the lock and is still at work.
    """
    path = _target(path)  # where atomic_write_bytes puts them
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


class FileLock:
    """An exclusive flock on a lock file (state.toml.lock, say), waited for up to `timeout` seconds.

    When the lock cannot be had (no fcntl, a filesystem without locks, a read-only
    directory, a holder that does not let go) the block runs without it: writing
    unlocked risks the other process's latest change, not writing risks ours.
    """

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.fd: int | None = None
        self.held = False

    def __enter__(self) -> FileLock:
        if fcntl is None:
            return self
        # O_NONBLOCK: a FIFO put where the lock file goes must not hang the program.
        flags = getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | flags, 0o644)
        except OSError:
            try:
                self.fd = os.open(self.path, os.O_RDONLY | flags)  # flock works on read-only files
            except OSError:
                return self
        deadline = time.monotonic() + self.timeout
        pause = 0.001
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = True
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return self
                time.sleep(pause)
                pause = min(pause * 2, 0.02)
            except OSError:
                return self  # ENOLCK, EOPNOTSUPP …: no locks on this filesystem

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            if self.held:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_UN)
                except OSError:
                    pass
            os.close(self.fd)
            self.fd = None
            self.held = False
