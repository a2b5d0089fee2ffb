"""Copying text: the system clipboard (pyperclip) or the terminal's own (OSC 52).

Over SSH the system clipboard is the remote machine's, so the terminal is used: it forwards
OSC 52 to the clipboard of the machine the user sits at (when the terminal supports it).
Locally pyperclip is tried first; without a backend (headless Linux without xclip, xsel or
wl-copy) the terminal is the fallback. The config key `clipboard` forces either way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Literal

from digest_tui.text.wording import shorten

ClipboardMode = Literal["auto", "terminal", "system"]
"""copy()'s mode, the config key `clipboard`."""
TERMINAL = "terminal, OSC 52"
SYSTEM = "system clipboard"
"""How the text went, as the notification names it in brackets after what was copied."""


def over_ssh(environ: Mapping[str, str] = os.environ) -> bool:
    return bool(environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"))


def short(text: str, limit: int = 60) -> str:
    """The first line of `text`, cut to `limit` characters, to show in a message."""
    lines = text.strip().splitlines()
    if len(lines) > 1:  # the ellipsis says that more follows
        return shorten(lines[0].rstrip() + "…", limit)
    return shorten(lines[0], limit) if lines else ""


def system_copy(text: str) -> str | None:
    """Copy with pyperclip; None on success, else why it failed."""
    try:
        import pyperclip
    except ImportError:
        return "pyperclip is not installed"
    try:
        pyperclip.copy(text)
    except pyperclip.PyperclipException:
        return "no system clipboard tool found (install xclip, xsel or wl-clipboard)"
    except Exception as error:  # a backend that fails in its own way: never crash the reader
        return f"the system clipboard failed ({error.__class__.__name__}: {error})"
    return None


def _terminal(text: str, terminal_copy: Callable[[str], None] | None) -> str | None:
    if terminal_copy is None:
        return "no terminal to copy through"
    try:
        terminal_copy(text)
    except Exception as error:
        return f"the terminal copy failed ({error.__class__.__name__}: {error})"
    return None


def copy(
    text: str,
    what: str = "the text",
    *,
    note: str = "",
    mode: str = "auto",
    terminal_copy: Callable[[str], None] | None = None,
    environ: Mapping[str, str] = os.environ,
) -> str:
    """Copy `text` and say what was copied and how, in a sentence for the user. Never raises.

    `what` names the text (`BibTeX for "Title"`); `note` is said in the brackets before the
    way the text went: `Copied <what> (<note>; terminal, OSC 52).` When the way tried first
    failed, why follows as a sentence of its own (on a desktop, the hint to install a
    clipboard tool).

    mode "auto": the terminal over SSH, else the system clipboard with the terminal as the
    fallback; "terminal" or "system" use only that way. When nothing works the message says
    why and shows the start of the text.
    """
    if mode == "terminal":
        order = ["terminal"]
    elif mode == "system":
        order = ["system"]
    elif over_ssh(environ) and terminal_copy is not None:
        order = ["terminal", "system"]
    else:
        order = ["system", "terminal"]
    reasons: list[str] = []
    for way in order:
        reason = system_copy(text) if way == "system" else _terminal(text, terminal_copy)
        if reason is None:
            route = SYSTEM if way == "system" else TERMINAL
            message = f"Copied {what} ({note + '; ' if note else ''}{route})."
            if reasons:
                message += f" {reasons[0][0].upper()}{reasons[0][1:]}."
            return message
        reasons.append(reason)
    return f"Could not copy {what}: {'; '.join(reasons)}. Text: {short(text)}"
