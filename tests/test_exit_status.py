"""The real reader in a real terminal (a pty): a crash ends it with a failing exit status."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ptyhelpers import Terminal

# Runs the reader as `digest-tui` does, with marking an entry read failing as it did on a
# mark dated 9999-12-31T23:59:59Z; argv[1] says whether to break it.
DRIVER = """
import sys
from digest_tui.disk import store

def overflow(*args, **kwargs):
    raise OverflowError("date value out of range")

if sys.argv.pop(1) == "broken":
    store.StateStore.set_read_many = overflow
from digest_tui.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def run_in_terminal(args: list[str], env: dict[str, str], keys: bytes) -> tuple[int, bytes]:
    """Start the reader on a pty, type `keys` once it shows its entries; its exit code and output."""
    terminal = Terminal(args, env, program=("-c", DRIVER))
    try:
        terminal.wait_for(b"27 unread", timeout=30)
        terminal.type(keys)
        status = terminal.wait_exit(timeout=20)
        output = terminal.everything_written()
    finally:
        terminal.close()
    return os.waitstatus_to_exitcode(status), output


@pytest.mark.parametrize(("mode", "keys", "code"), [("broken", b"r", 1), ("working", b"q", 0)])
def test_the_exit_status_says_whether_the_reader_crashed(tmp_path: Path, seeds_dir: Path, mode: str, keys: bytes, code: int) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('mark_read = "never"\n', encoding="utf-8")
    env = {**os.environ, "TERM": "xterm-256color", "DIGEST_TUI_CACHE_DIR": str(tmp_path / "cache")}
    status, output = run_in_terminal([mode, "--config-dir", str(config), str(seeds_dir)], env, keys)
    assert status == code
    assert (b"OverflowError" in output) is (mode == "broken")
