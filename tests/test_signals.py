"""The real reader in a real terminal (a pty): marks survive SIGTERM and SIGHUP."""

from __future__ import annotations

import os
import signal
import tomllib
from pathlib import Path

import pytest

from tests.ptyhelpers import Terminal

CLOSES = 30
# Far above the two seconds the reader allows itself on the way out: only a hang fails here.
EXIT_BOUND = 30


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_saves_the_marks_before_the_app_goes(tmp_path: Path, seeds_dir: Path, sig: signal.Signals):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('mark_read = "never"\n', encoding="utf-8")
    env = {**os.environ, "TERM": "xterm-256color", "DIGEST_TUI_CACHE_DIR": str(tmp_path / "cache")}
    terminal = Terminal(["--config-dir", str(config), str(seeds_dir)], env)
    terminal.wait_for(b"27 unread")
    terminal.type(b"b")
    terminal.wait_for(b"1 bookmarked")
    os.kill(terminal.pid, sig)
    terminal.wait_exit()
    state = tomllib.loads((config / "state.toml").read_text(encoding="utf-8"))
    assert len(state["bookmarks"]) == 1


def test_closing_the_terminal_saves_and_ends_the_reader_every_time(tmp_path: Path, seeds_dir: Path):
    """The window of the terminal is closed (the pty's other end goes away, the app gets
    SIGHUP) thirty times over: every time the bookmark is saved and the process ends."""
    env = {**os.environ, "TERM": "xterm-256color", "DIGEST_TUI_CACHE_DIR": str(tmp_path / "cache")}
    for attempt in range(CLOSES):
        config = tmp_path / f"config{attempt}"
        config.mkdir()
        (config / "config.toml").write_text('mark_read = "never"\n', encoding="utf-8")
        terminal = Terminal(["--config-dir", str(config), str(seeds_dir)], env, size=(80, 24))
        terminal.wait_for(b"unread")
        terminal.type(b"b")
        terminal.wait_for(b"1 bookmarked")
        terminal.close_master()
        terminal.wait_exit(timeout=EXIT_BOUND)
        state = tomllib.loads((config / "state.toml").read_text(encoding="utf-8"))
        assert len(state["bookmarks"]) == 1, f"attempt {attempt}: the bookmark was lost"
