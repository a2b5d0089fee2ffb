"""The real reader on a pseudo-terminal, for the tests that need what a terminal sees."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import threading
from collections.abc import Sequence

READER = ("-m", "digest_tui")


class Terminal:
    """Runs `digest-tui` (or `python PROGRAM...`) on a pseudo-terminal and keeps reading what it draws.

    The waits wake on what the app writes (a reading thread signals each chunk) or on its exit
    (a pidfd); their bounds only keep a broken test from hanging.
    """

    def __init__(
        self, args: list[str], env: dict[str, str], size: tuple[int, int] = (120, 40), program: Sequence[str] = READER
    ) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the app
            os.execve(sys.executable, [sys.executable, *program, *args], env)
        self.pidfd = os.pidfd_open(self.pid)
        columns, rows = size
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.output = bytearray()
        self.status: int | None = None
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            with self.changed:
                self.output.extend(chunk)
                self.changed.notify_all()
            if not chunk:
                return

    def wait_for(self, text: bytes, start: int = 0, timeout: float = 60) -> None:
        """Wait until the app has written `text` (at or after byte `start` of its output)."""
        with self.changed:
            found = self.changed.wait_for(lambda: self.output.find(text, start) >= 0, timeout)
        assert found, f"{text!r} never appeared; the last output: {bytes(self.output[-2000:])!r}"

    def everything_written(self, timeout: float = 10) -> bytes:
        """All the app wrote, once its end of the terminal is closed (it has exited)."""
        self.reader.join(timeout)
        return bytes(self.output)

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def exited(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                os.close(self.pidfd)
        return self.status is not None

    def wait_exit(self, timeout: float = 60) -> int:
        """The app's wait status once it has ended (killed after `timeout` seconds)."""
        if not self.exited():
            ready, _, _ = select.select([self.pidfd], [], [], timeout)
            if not ready:
                self.close()
                raise AssertionError("the app did not exit")
            self.exited()
        assert self.status is not None
        return self.status

    def close_master(self) -> None:
        """Close our end of the terminal, as a terminal window does when it is closed."""
        try:
            os.close(self.fd)
        except OSError:
            pass

    def close(self) -> None:
        """Close our end of the terminal and make sure the app is gone."""
        self.close_master()
        if not self.exited():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, self.status = os.waitpid(self.pid, 0)
            os.close(self.pidfd)
