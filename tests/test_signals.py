"""The real reader in a real terminal (a pty): marks survive SIGTERM and SIGHUP."""

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
import tomllib
from pathlib import Path

import pytest


class Terminal:
    """Runs `digest-tui` on a pseudo-terminal and keeps reading what it draws."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the app
            os.execve(sys.executable, [sys.executable, "-m", "digest_tui", *args], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.output = bytearray()
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

    def wait_for(self, text: bytes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert time.monotonic() < deadline, f"{text!r} never appeared"
            time.sleep(0.05)

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def wait_exit(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return status
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("the app did not exit")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_saves_the_marks_before_the_app_goes(tmp_path: Path, seeds_dir: Path, sig: signal.Signals):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text("mark_read_after = 0\n", encoding="utf-8")
    env = {**os.environ, "TERM": "xterm-256color", "DIGEST_TUI_CACHE_DIR": str(tmp_path / "cache")}
    terminal = Terminal(["--config-dir", str(config), str(seeds_dir)], env)
    terminal.wait_for(b"27 unread")
    terminal.type(b"b")
    terminal.wait_for(b"1 bookmarked")
    os.kill(terminal.pid, sig)
    terminal.wait_exit()
    state = tomllib.loads((config / "state.toml").read_text(encoding="utf-8"))
    assert len(state["bookmarks"]) == 1
