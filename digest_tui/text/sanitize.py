"""The one way text from outside reaches the screen or the terminal: no escape sequences, no
markup, no invisible direction tricks.

Text from a digest, a note, a file name, config or state is data. Control characters would let
a file move the cursor, ring the bell, retitle the terminal or write the clipboard; bidi
overrides would let it disguise what a line says. Each is shown as a visible stand-in instead.
Every widget, notification, dialog, header, palette hit and line of CLI output takes such text
through `clean` (or `clean_line` where one line is drawn) and is drawn as a `Text` or `Content`
built from the cleaned string, never as a markup string.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, the line and paragraph separators, and the
# bidi embedding/override/isolate marks.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
UNSAFE_IN_A_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _placeholder(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC, ␇ for BEL, ␀ for NUL
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def clean(text: str) -> str:
    """`text` with tabs as spaces and every unsafe character replaced by a visible stand-in;
    newlines stay, so paragraphs stay paragraphs."""
    text = text.replace("\t", "    ")
    return UNSAFE.sub(_placeholder, text) if UNSAFE.search(text) else text


def clean_line(text: str) -> str:
    """`clean` for a place that draws one line (a list row, a label, a header): a newline
    becomes ␊ too, so it can never break the layout."""
    text = text.replace("\t", "    ")
    return UNSAFE_IN_A_LINE.sub(_placeholder, text) if UNSAFE_IN_A_LINE.search(text) else text

