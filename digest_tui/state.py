"""Read-state and bookmarks (minimal reader; the full store follows)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class State:
    read: dict[str, object] = field(default_factory=dict)
    bookmarks: dict[str, object] = field(default_factory=dict)

    def is_read(self, entry_id: str) -> bool:
        return entry_id in self.read

    def is_bookmarked(self, entry_id: str) -> bool:
        return entry_id in self.bookmarks


def load_state(path: Path) -> tuple[State, list[str]]:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return State(), []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return State(), [f"{path}: {error}"]
    return State(dict(raw.get("read", {})), dict(raw.get("bookmarks", {}))), []
