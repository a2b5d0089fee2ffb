"""Atomic file writes: a reader sees the old file or the new one, never a torn one."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` via a fsynced temporary file in the same directory and os.replace.

    Raises OSError (read-only directory, full disk, …); the old file is then untouched.
    """
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically; see atomic_write_text.

    An existing file keeps its permission bits; a new one gets those of mkstemp (0600).
    """
    path = Path(path)
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
    path = Path(path)
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
