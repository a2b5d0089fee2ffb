"""Nothing from a digest, a note, a file name or the state reaches the terminal raw.

The hostile library of tests/hostile.py is driven through every command of the CLI and, in a
real pseudo-terminal, through every screen, dialog, notification and header of the reader; the
bytes written are searched for the raw payloads (which must be absent) and for their markers
(which must be present, so the hostile text was really drawn).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import ALL, HOSTILE_TAG, NOTE, PAYLOADS, control_characters, write_library, write_state
from tests.ptyhelpers import Terminal


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """(config directory, library directory), both hostile."""
    config = tmp_path / "config"
    write_state(config)
    return config, write_library(tmp_path)


def run_cli(tmp_path: Path, config: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "DIGEST_TUI_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "digest_tui", *args[:1], "--config-dir", str(config), *args[1:]],
        capture_output=True, env=env, timeout=120, stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("export", "--format", "jsonl"),
        ("export", "--format", "bibtex"),
        ("export", "--format", "markdown"),
        ("export", "--format", "markdown", "--bookmarked"),
        ("export", "--tag", HOSTILE_TAG),
        ("paths",),
    ],
)
def test_the_command_line_prints_no_control_character(tmp_path, hostile, args):
    config, library = hostile
    done = run_cli(tmp_path, config, *args, *([str(library)] if args[0] != "paths" else []))
    for stream in (done.stdout, done.stderr):
        text = stream.decode("utf-8")
        assert control_characters(text) == [], (args, text[:2000])
    if args[0] in ("check", "export"):
        assert b"PWNED" in done.stdout, "the hostile text was not printed at all"


def test_jsonl_keeps_the_data_as_escapes(tmp_path, hostile):
    config, library = hostile
    done = run_cli(tmp_path, config, "export", "--format", "jsonl", str(library))
    records = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    text = "\n".join(str(value) for record in records for value in record.values())
    assert PAYLOADS["c1"] in text and PAYLOADS["bidi"] in text and PAYLOADS["title"] in text


def test_state_merge_prints_no_control_character(tmp_path, hostile):
    config, _ = hostile
    other = tmp_path / "conflict\x1b]0;PWNED-MERGE\x07.toml"
    other.write_bytes((config / "state.toml").read_bytes())
    done = run_cli(tmp_path, config, "state", "merge", str(other))
    assert done.returncode == 0, done.stderr
    assert b"PWNED-MERGE" in done.stdout
    assert control_characters((done.stdout + done.stderr).decode("utf-8")) == []


def test_the_reader_writes_no_payload_to_the_terminal(tmp_path, hostile):
    """Every screen of the reader on the hostile library, in a real terminal."""
    config, library = hostile
    (config / "config.toml").write_text('mark_read = "never"\n', encoding="utf-8")
    env = {**os.environ, "TERM": "xterm-256color", "DIGEST_TUI_CACHE_DIR": str(tmp_path / "cache")}
    terminal = Terminal(["--config-dir", str(config), str(library)], env, size=(220, 50))  # wide: no file name wrapped
    try:
        terminal.wait_for(b"unread")  # the list and the detail pane
        # Screens are closed with their own keys, not esc: an esc followed at once by another
        # key reads as alt+key.
        steps = [
            (b"G", b"PWNED"),
            (b"g", b"PWNED"),
            (b"b", b"Bookmark"),  # a notification quoting the title
            (b"T", b"Top tags"),  # trends, then its first tag (the hostile one) as the filter
            (b"\r", b"#evil"),  # the header describes the filter
            (b"p", b"problem"),  # file names and messages
            (b"p", b""),
            (b"L", b"Links of"),
            (b"L", b""),
            (b"C", b"Copy the citation as"),
            (b"q", b""),
            (b"?", b"digest-tui keys"),
            (b"?", b""),
            (b"e", b"Note for"),  # the note dialog, its title and the hostile note
        ]
        for keys, shown in steps:
            mark = len(terminal.output)
            terminal.type(keys)
            terminal.wait_for(shown, start=mark)
        os.kill(terminal.pid, signal.SIGTERM)  # the note dialog is open; the app still saves and goes
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()
    output = bytes(terminal.output).decode("utf-8", errors="replace")
    for name, payload in PAYLOADS.items():
        assert payload not in output, f"the {name} payload reached the terminal raw"
    for raw in ("\x9b", "\u202e", "\x85", "\x1b]0;PWNED", "\x1b]52;c;UFdORUQ", "\x1b]8;;http://evil", "\x1bP+q"):
        assert raw not in output, f"{raw!r} reached the terminal"
    assert "\x07PWNED" not in output
    for marker in ("PWNED-TITLE", "PWNED-CLEAR", "PWNED-DIR", "PWNED-FILE", "UFdORUQ="):
        assert marker in output, f"{marker} was never drawn: the screen did not show the hostile text"
    assert ALL and NOTE  # the whole fixture was in play
