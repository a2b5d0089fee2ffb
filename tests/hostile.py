"""A library built to attack the terminal: every field of a digest, a bookmark note, a file
name and a directory name carry escape sequences, C1 controls and bidi overrides.

Each payload has a marker (PWNED…) so a test can tell that the hostile text was drawn (its
cleaned form shows) and that the raw sequence never reached the terminal or stdout.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest_tui.digest.parse import entry_id
from digest_tui.disk.marks import Mark, State
from digest_tui.disk.stateformat import dump_state

# The raw sequences that must never be written out, each with the marker that follows it.
PAYLOADS = {
    "title": "\x1b]0;PWNED-TITLE\x1b\\",  # OSC 0: set the window title
    "clipboard": "\x1b]52;c;UFdORUQ=\x1b\\",  # OSC 52: write the clipboard
    "clear": "\x1b[2JPWNED-CLEAR",  # CSI: clear the screen
    "link": "\x1b]8;;http://evil.example/\x1b\\PWNED-LINK\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "dcs": "\x1bP+q544e\x1b\\PWNED-DCS",  # DCS: ask the terminal to answer
    "c1": "\x9b2JPWNED-C1",  # the one-byte C1 CSI
    "bell": "\x07PWNED-BELL",
    "bidi": "\u202ePWNED-BIDI\u202c",
    "nel": "\x85PWNED-NEL",
}
ALL = "".join(PAYLOADS.values())
HOSTILE_TITLE = f"Reverse {PAYLOADS['title']} thinking"
HOSTILE_TAG = f"evil{PAYLOADS['c1']}"
DIRECTORY_NAME = "digests\x1b]0;PWNED-DIR\x07"
BROKEN_FILE_NAME = "broken\x1b]0;PWNED-FILE\x07.txt"
NOTE = f"note {PAYLOADS['clipboard']} {PAYLOADS['clear']}"


def control_characters(text: str) -> list[str]:
    """Every character in `text` that a terminal would act on, but the newline: C0 controls,
    DEL, C1 controls and the bidi embedding, override and isolate marks."""
    return [
        char
        for char in text
        if (ord(char) < 0x20 and char != "\n") or 0x7F <= ord(char) <= 0x9F or 0x202A <= ord(char) <= 0x202E or 0x2066 <= ord(char) <= 0x2069
    ]


def write_library(root: Path) -> Path:
    """The hostile digests in a hostile directory under `root`; returns the directory."""
    directory = root / DIRECTORY_NAME
    directory.mkdir()
    lines = ["2024-05-01"]
    for n, (name, payload) in enumerate(PAYLOADS.items()):
        title = HOSTILE_TITLE if name == "title" else f"Paper {n} {payload} end"
        lines += [
            title,
            f"(Mallory {payload}, Eve)",
            f"An abstract about {payload} and [@click=app.screenshot('victim.txt','/tmp')]markup[/] see https://example.com/{payload}/x",
            f"코멘트 {payload} https://evil.example/{payload}",
            "",
            f"둘째 문단 {payload}",
            f"#{HOSTILE_TAG} #{name}{payload}",
        ]
    (directory / "hostile.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (directory / BROKEN_FILE_NAME).write_text(f"2024-05-02\nA title {ALL} without authors\n", encoding="utf-8")
    return directory


def write_state(config_dir: Path) -> None:
    """A bookmark with a hostile note on the hostile title."""
    config_dir.mkdir(parents=True, exist_ok=True)
    at = datetime(2024, 5, 1, tzinfo=UTC)
    state = State(bookmarks={entry_id(HOSTILE_TITLE): Mark(True, at, NOTE)})
    (config_dir / "state.toml").write_text(dump_state(state), encoding="utf-8")
