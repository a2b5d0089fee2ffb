"""Copying: system clipboard first locally, the terminal (OSC 52) over SSH or as the fallback."""

from __future__ import annotations

import os
import sys

import pyperclip
import pytest

from digest_tui.out import clipboard
from digest_tui.out.clipboard import SYSTEM, TERMINAL, copy, over_ssh, short

LOCAL: dict[str, str] = {}
SSH = {"SSH_CONNECTION": "10.0.0.2 50000 10.0.0.1 22"}


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[str] = []
        self.fail = fail

    def __call__(self, text: str) -> None:
        if self.fail:
            raise RuntimeError("terminal gone")
        self.calls.append(text)


def no_clipboard_here() -> bool:
    """Linux without a display: pyperclip has no backend (unless under WSL)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open("/proc/version", encoding="utf-8") as f:
            return "microsoft" not in f.read().lower()
    except OSError:
        return True


@pytest.fixture
def headless(monkeypatch):
    """The real pyperclip, made to look for a backend again with no display to find one on."""
    if not no_clipboard_here():
        pytest.skip("needs Linux, where pyperclip finds no clipboard without a display")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(pyperclip, "copy", pyperclip.lazy_load_stub_copy)


@pytest.fixture
def working_system(monkeypatch):
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    return copied


def test_headless_pyperclip_really_has_no_backend(headless):
    with pytest.raises(pyperclip.PyperclipException):
        pyperclip.copy("x")


def test_auto_falls_back_to_the_terminal_without_a_system_clipboard(headless):
    terminal = Recorder()
    message = copy("@misc{qi2024mutual}", 'BibTeX for "Mutual Reasoning"', terminal_copy=terminal, environ=LOCAL)
    assert terminal.calls == ["@misc{qi2024mutual}"]
    # What was copied first, then the way it went, then the hint.
    assert message == (
        'Copied BibTeX for "Mutual Reasoning" (terminal, OSC 52).'
        " No system clipboard tool found (install xclip, xsel or wl-clipboard)."
    )


def test_forced_system_mode_failing_says_so(headless):
    terminal = Recorder()
    message = copy("qi2024mutual", "the key", mode="system", terminal_copy=terminal, environ=LOCAL)
    assert terminal.calls == []
    assert message == (
        "Could not copy the key: no system clipboard tool found (install xclip, xsel or wl-clipboard). Text: qi2024mutual"
    )


def test_nothing_works_shows_a_short_form_of_the_text(headless):
    text = "@misc{zhang2024aquilamoe,\n  title = {" + "x" * 200 + "}\n}\n"
    message = copy(text, terminal_copy=None, environ=LOCAL)
    assert message.startswith("Could not copy the text: no system clipboard tool found")
    assert "no terminal to copy through" in message
    assert message.endswith("Text: @misc{zhang2024aquilamoe,…")

    message = copy(text, terminal_copy=Recorder(fail=True), environ=LOCAL)
    assert "the terminal copy failed (RuntimeError: terminal gone)" in message


def test_local_copy_uses_the_system_clipboard_first(working_system):
    terminal = Recorder()
    assert copy("hello", "the greeting", terminal_copy=terminal, environ=LOCAL) == f"Copied the greeting ({SYSTEM})."
    assert working_system == ["hello"] and terminal.calls == []


@pytest.mark.parametrize("environ", [SSH, {"SSH_TTY": "/dev/pts/3"}])
def test_over_ssh_the_terminal_is_used(working_system, environ):
    terminal = Recorder()
    assert copy("hello", terminal_copy=terminal, environ=environ) == f"Copied the text ({TERMINAL})."
    assert terminal.calls == ["hello"] and working_system == []


def test_over_ssh_without_a_terminal_the_system_clipboard_is_tried(working_system):
    assert copy("hello", terminal_copy=None, environ=SSH) == f"Copied the text ({SYSTEM})."
    assert working_system == ["hello"]


def test_forced_modes(working_system):
    terminal = Recorder()
    assert copy("a", "A", mode="terminal", terminal_copy=terminal, environ=LOCAL) == "Copied A (terminal, OSC 52)."
    assert copy("b", "B", mode="system", terminal_copy=terminal, environ=SSH) == "Copied B (system clipboard)."
    assert terminal.calls == ["a"] and working_system == ["b"]
    assert copy("c", "C", mode="terminal", terminal_copy=None, environ=LOCAL) == (
        "Could not copy C: no terminal to copy through. Text: c"
    )
    assert working_system == ["b"]


def test_a_backend_failing_its_own_way_never_raises(monkeypatch):
    def broken(text: str) -> None:
        raise OSError("xclip died")

    monkeypatch.setattr(pyperclip, "copy", broken)
    terminal = Recorder()
    message = copy("hello", terminal_copy=terminal, environ=LOCAL)
    assert message == f"Copied the text ({TERMINAL}). The system clipboard failed (OSError: xclip died)."
    assert terminal.calls == ["hello"]


def test_over_ssh_reads_the_given_environment():
    assert over_ssh(SSH) and over_ssh({"SSH_TTY": "/dev/pts/0"})
    assert not over_ssh({}) and not over_ssh({"SSH_CONNECTION": ""})


def test_default_environment_is_the_process_environment(monkeypatch, working_system):
    monkeypatch.setenv("SSH_CONNECTION", "1 2 3 4")
    terminal = Recorder()
    assert clipboard.copy("x", terminal_copy=terminal).endswith(f"({TERMINAL}).")
    monkeypatch.delenv("SSH_CONNECTION")
    monkeypatch.delenv("SSH_TTY", raising=False)
    assert clipboard.copy("y", terminal_copy=terminal).endswith(f"({SYSTEM}).")
    assert os.environ.get("SSH_CONNECTION") is None


def test_a_note_goes_in_the_brackets_before_the_way(working_system):
    message = copy("https://arxiv.org/search/?query=X", 'an arXiv title search for "X"', note="no arXiv id known", environ=LOCAL)
    assert message == 'Copied an arXiv title search for "X" (no arXiv id known; system clipboard).'


def test_short():
    assert short("one line") == "one line"
    assert short("first\nsecond") == "first…"
    assert short("x" * 100) == "x" * 59 + "…"
    assert short("") == ""
