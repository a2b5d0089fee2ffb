"""The real reader on a pseudo-terminal, for the tests that need what a terminal sees."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import threading
import time


class Terminal:
    """Runs `digest-tui` on a pseudo-terminal and keeps reading what it draws.

    The waits poll for what the app writes or for its exit; their bounds only keep a broken
    test from hanging.
    """

    def __init__(self, args: list[str], env: dict[str, str], size: tuple[int, int] = (120, 40)) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the app
            os.execve(sys.executable, [sys.executable, "-m", "digest_tui", *args], env)
        columns, rows = size
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.output = bytearray()
        self.status: int | None = None
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output.extend(chunk)

    def wait_for(self, text: bytes, start: int = 0, timeout: float = 60) -> None:
        """Wait until the app has written `text` (at or after byte `start` of its output)."""
        deadline = time.monotonic() + timeout
        while self.output.find(text, start) < 0:
            assert time.monotonic() < deadline, f"{text!r} never appeared"
            time.sleep(0.02)

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def exited(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is not None

    def wait_exit(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while not self.exited():
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                raise AssertionError("the app did not exit")
            time.sleep(0.02)
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
            os.waitpid(self.pid, 0)
