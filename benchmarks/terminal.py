"""Programs started in a pseudo-terminal of 120x40, and what they draw read back as rows of text.

Textual writes each row it draws, or the part of a row that changed, after moving the cursor
to it (ESC [ row ; column H). `Screen` keeps the text written after each move with its row and
drops every other escape sequence. That is enough to see a title appear and on which row, with
no screen model; a title may be cut at the right or wrapped, so callers look for its start.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Callable

SIZE = (120, 40)
"""Columns and rows."""
TIMEOUT = 120.0
"""Seconds a wait may last unless the program is given another bound: only a bound for a
broken run."""
_SEQUENCE = re.compile(
    rb"\x1b(?:"
    rb"\[([0-?]*)[ -/]*([@-~])"  # CSI: cursor moves, colours, modes
    rb"|\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, clipboard
    rb"|[P^_X][^\x1b]*\x1b\\"  # DCS and the other string sequences
    rb"|[ -/]*[0-OQ-WYZ\\`-~])"  # two- and three-byte escapes (not the start of one above)
)
_LONGEST_SEQUENCE = 4096
"""A lone ESC with more bytes than this after it and still no sequence is taken as text."""


class Screen:
    """The text written after each cursor move, with its row (0 at the top) and the offset of
    the move in the output; text written before any move has row -1."""

    def __init__(self) -> None:
        self.pieces: list[tuple[int, int, list[str]]] = []
        self.size = 0
        """Bytes fed so far."""
        self._pending = b""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, data: bytes) -> None:
        buffer = self._pending + data
        base = self.size - len(self._pending)
        self.size += len(data)
        position = 0
        while position < len(buffer):
            escape = buffer.find(b"\x1b", position)
            if escape < 0:
                self._text(buffer[position:])
                position = len(buffer)
                break
            self._text(buffer[position:escape])
            match = _SEQUENCE.match(buffer, escape)
            if match is None:
                if len(buffer) - escape < _LONGEST_SEQUENCE:
                    position = escape  # the rest of it is still to come
                    break
                position = escape + 1
                continue
            if match.group(2) == b"H":
                row = (match.group(1).split(b";")[0] or b"1").lstrip(b"?")
                self.pieces.append((base + escape, int(row or 1) - 1, []))
            position = match.end()
        self._pending = buffer[position:]

    def _text(self, data: bytes) -> None:
        if not data:
            return
        if not self.pieces:
            self.pieces.append((0, -1, []))
        self.pieces[-1][2].append(self._decoder.decode(data))

    def rows_with(self, pattern: re.Pattern[str], since: int = 0) -> set[int]:
        """The rows where `pattern` was written at or after byte `since` of the output."""
        return {row for offset, row, parts in self.pieces if offset >= since and pattern.search("".join(parts))}

    def tail(self, pieces: int = 60) -> str:
        """The last text written, a row a line: for error messages."""
        return "\n".join(f"{row:3d}: {''.join(parts)}" for _, row, parts in self.pieces[-pieces:])


class Program:
    """A program started in a pseudo-terminal of SIZE (TERM=xterm-256color), its output read
    into a Screen as the waits need it. Times are seconds from just before the start."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str, timeout: float = TIMEOUT) -> None:
        env = {key: value for key, value in env.items() if key not in ("COLUMNS", "LINES")}
        env["TERM"] = "xterm-256color"
        self.screen = Screen()
        self.output = bytearray()
        self.argv = argv
        self.status: int | None = None
        self.timeout = timeout
        self.start = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child, on the terminal: its size is set before the program starts
            try:
                columns, rows = SIZE
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
                os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def wait(self, done: Callable[[], bool], what: str, every: float | None = None) -> float:
        """Read the output until `done()` holds, looking again at each read and, with `every`,
        at least that often (seconds); returns the time it held."""
        deadline = time.monotonic() + self.timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"{what}: not seen in {self.timeout:.0f} s; the screen's last rows:\n{self.screen.tail()}")
            ready, _, _ = select.select([self.fd], [], [], left if every is None else min(left, every))
            if ready and not self._read():
                raise RuntimeError(f"{what}: the program ended before ({self.finish_status()}); the screen's last rows:\n{self.screen.tail()}")
        return self.elapsed()

    def shows(self, pattern: re.Pattern[str], what: str) -> float:
        """The time `pattern` is first seen drawn."""
        return self.wait(lambda: bool(self.screen.rows_with(pattern)), what)

    def press(self, key: bytes, answer: re.Pattern[str], place: re.Pattern[str], what: str) -> float:
        """Type `key`; the time `answer` is drawn where `place` was drawn before and `answer`
        was not: on a row of `place` and of no earlier `answer`."""
        rows = self.screen.rows_with(place) - self.screen.rows_with(answer)
        since = self.screen.size
        os.write(self.fd, key)
        return self.wait(lambda: bool(self.screen.rows_with(answer, since) & rows), what)

    def quit(self, key: bytes = b"q") -> float:
        """Type `key`, read to the end and reap the program; returns its peak RSS in MB
        (ru_maxrss from wait4)."""
        os.write(self.fd, key)
        self._read_until_exit()
        _, status, usage = os.wait4(self.pid, 0)
        self.status = status
        os.close(self.fd)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise RuntimeError(f"{' '.join(self.argv)} ended with status {code}; the screen's last rows:\n{self.screen.tail()}")
        return usage.ru_maxrss / 1024

    def _read_until_exit(self) -> None:
        """Read until the program has exited, then what it left in the terminal. Not until the
        end of the output: a process the program started may still hold the terminal open."""
        exited = os.pidfd_open(self.pid)
        try:
            ready: list[int] = []
            deadline = time.monotonic() + self.timeout
            while exited not in ready:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"{' '.join(self.argv)} did not end; the screen's last rows:\n{self.screen.tail()}")
                ready, _, _ = select.select([self.fd, exited], [], [], left)
                if self.fd in ready and not self._read():
                    break
            while select.select([self.fd], [], [], 0)[0] and self._read():
                pass
        finally:
            os.close(exited)

    def kill(self) -> None:
        """End the program and what it started (its session: pty.fork made it a leader) if it
        still runs, after a failed wait."""
        if self.status is not None:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, self.status = os.waitpid(self.pid, 0)
        os.close(self.fd)

    def finish_status(self) -> str:
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if not pid:
            return "still running"
        self.status = status
        os.close(self.fd)
        return f"status {os.waitstatus_to_exitcode(status)}"

    def _read(self) -> bool:
        """Read what is there; False at the end of the output (the program closed its terminal)."""
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: no process has the terminal open any more
            chunk = b""
        self.output.extend(chunk)
        self.screen.feed(chunk)
        return bool(chunk)
