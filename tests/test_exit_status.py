"""The real reader in a real terminal (a pty): a crash ends it with a failing exit status."""

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
from pathlib import Path

import pytest

# Runs the reader as `digest-tui` does, with marking an entry read failing as it did on a
# mark dated 9999-12-31T23:59:59Z; argv[1] says whether to break it.
DRIVER = """
import sys
from digest_tui import state

def overflow(*args, **kwargs):
    raise OverflowError("date value out of range")

if sys.argv.pop(1) == "broken":
    state.StateStore.set_read_many = overflow
from digest_tui.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def run_in_terminal(args: list[str], env: dict[str, str], keys: bytes) -> tuple[int, bytes]:
    """Start the reader on a pty, type `keys` once it shows its entries; its exit code and output."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the app
        os.execve(sys.executable, [sys.executable, "-c", DRIVER, *args], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    output = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            output.extend(chunk)

    threading.Thread(target=drain, daemon=True).start()
    exited = False
    try:
        deadline = time.monotonic() + 30
        while b"27 unread" not in output:
            assert time.monotonic() < deadline, f"the reader never showed its entries: {bytes(output[-2000:])!r}"
            time.sleep(0.05)
        os.write(fd, keys)
        deadline = time.monotonic() + 20
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                exited = True
                return os.waitstatus_to_exitcode(status), bytes(output)
            assert time.monotonic() < deadline, "the reader did not exit"
            time.sleep(0.05)
    finally:
        if not exited:  # a failed assertion: leave no reader behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


@pytest.mark.parametrize(("mode", "keys", "code"), [("broken", b"r", 1), ("working", b"q", 0)])
def test_the_exit_status_says_whether_the_reader_crashed(tmp_path: Path, seeds_dir: Path, mode: str, keys: bytes, code: int) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('mark_read = "never"\n', encoding="utf-8")
    env = {**os.environ, "TERM": "xterm-256color", "DIGEST_TUI_CACHE_DIR": str(tmp_path / "cache")}
    status, output = run_in_terminal([mode, "--config-dir", str(config), str(seeds_dir)], env, keys)
    assert status == code
    assert (b"OverflowError" in output) is (mode == "broken")
