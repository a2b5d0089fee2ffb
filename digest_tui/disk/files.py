"""Opening files that must be regular files, so that a FIFO or a device never blocks a read.

Reading a FIFO waits for a writer that may never come, and a device such as /dev/zero never
ends; either would hang the reader or a command at start. So a file is looked at (stat)
before it is opened, anything but a regular file or a directory is refused with
NotRegularFile, and the open itself does not wait (O_NONBLOCK), in case the path was
replaced by a FIFO in between; what was opened is looked at again before it is read.
"""

from __future__ import annotations

import errno
import os
import stat
from io import BufferedReader

NOT_REGULAR = "not a regular file"

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
# Never make a terminal our controlling terminal, should a path turn into one after the stat.
_FLAGS = os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


class NotRegularFile(OSError):
    """The path names a FIFO, a device or a socket, which is never read."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(None, NOT_REGULAR, os.fspath(path))

    def __str__(self) -> str:
        return NOT_REGULAR


def open_regular_file(path: str | os.PathLike[str]) -> BufferedReader:
    """Open a regular file for reading in binary.

    Raises NotRegularFile for a FIFO, device or socket (without opening it: opening some
    devices has effects), IsADirectoryError for a directory, and OSError as `open` does.
    """
    _check(os.stat(path).st_mode, path)
    fd = os.open(path, _FLAGS)
    try:
        _check(os.fstat(fd).st_mode, path)
        if _NONBLOCK:
            # Regular files ignore O_NONBLOCK on most filesystems; clear it for any that do not.
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of a regular file, only its first `limit` bytes when a limit is given.

    Raises as open_regular_file does.
    """
    with open_regular_file(path) as handle:
        return handle.read() if limit is None else handle.read(limit)


def _check(mode: int, path: str | os.PathLike[str]) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    raise NotRegularFile(path)
