"""Make digest text safe to draw: no escape sequences, no invisible direction tricks.

Text from a digest is data. Control characters would let a file move the cursor, ring the
bell or retitle the terminal; bidi overrides would let it disguise what a line says. Each is
shown as a visible placeholder instead.
"""

from __future__ import annotations

import re

# C0 controls (but tab), DEL, C1 controls, and the bidi embedding/override/isolate marks.
UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _placeholder(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC, ␇ for BEL, ␀ for NUL
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def clean(text: str) -> str:
    """`text` with tabs as spaces and every unsafe character replaced by a visible stand-in."""
    return UNSAFE.sub(_placeholder, text.replace("\t", "    "))
