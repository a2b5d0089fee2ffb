"""Read marks and bookmarks in memory, and the one rule that merges them: the latest change wins.

Every mark remembers when it was last changed, and a removal is kept as a mark too (a
tombstone), so two copies of the state can always be merged: per entry and per kind the
latest change wins. That is what lets two running instances, a sync conflict copy and a
hand-merged file all come together without losing or resurrecting anything.

Pure data: no files here (stateformat.py reads and writes them, store.py owns state.toml).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

LATEST = datetime(9999, 1, 1, tzinfo=UTC)
"""Every mark is older than this: a change is made a second after the mark it replaces
(see change_time), so a mark at the end of what datetime holds could never be changed again."""
KINDS = ("read", "bookmarks")
"""The two kinds of marks, as State names them."""


@dataclass(frozen=True, slots=True)
class Mark:
    """One read mark or bookmark, with the time it was last changed."""

    on: bool
    """False: removed (a tombstone, so a merge does not bring the mark back)."""
    at: datetime
    """When it was set or removed; timezone-aware, kept in UTC."""
    note: str = ""
    """Bookmarks only."""

    def __post_init__(self) -> None:
        at = self.at
        if at.tzinfo is not UTC:
            if at.tzinfo is None or at.utcoffset() is None:
                raise ValueError(f"the time of a mark must be timezone-aware, not {at!r}")
            try:
                at = at.astimezone(UTC)
            except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first UTC time
                raise ValueError(f"the time {self.at.isoformat()} is out of range") from None
            object.__setattr__(self, "at", at)
        if at >= LATEST:
            raise ValueError(f"the time {at.isoformat()} is out of range (a mark must be before {LATEST.year})")

    def beats(self, other: Mark) -> bool:
        """Whether this mark wins a merge against `other`: the later one, and on a tie the
        one that is set (then the larger note), so every merge comes out the same."""
        return (self.at, self.on, self.note) > (other.at, other.on, other.note)


@dataclass
class State:
    """Read marks and bookmarks by entry id: pure data."""

    read: dict[str, Mark] = field(default_factory=dict)
    bookmarks: dict[str, Mark] = field(default_factory=dict)

    def is_read(self, entry_id: str) -> bool:
        mark = self.read.get(entry_id)
        return mark is not None and mark.on

    def is_bookmarked(self, entry_id: str) -> bool:
        mark = self.bookmarks.get(entry_id)
        return mark is not None and mark.on

    def note(self, entry_id: str) -> str:
        """The note of a bookmarked entry ("" when it is not bookmarked)."""
        mark = self.bookmarks.get(entry_id)
        return mark.note if mark is not None and mark.on else ""

    def merge(self, other: State) -> State:
        """Both states in one: per entry and per kind the later change wins (Mark.beats).

        Commutative, associative and idempotent; neither argument is changed.
        """
        return State(merge_marks(self.read, other.read.items()), merge_marks(self.bookmarks, other.bookmarks.items()))

    def copy(self) -> State:
        return State(dict(self.read), dict(self.bookmarks))

    def counts(self) -> tuple[int, int]:
        """How many entries are read and how many are bookmarked."""
        return sum(m.on for m in self.read.values()), sum(m.on for m in self.bookmarks.values())


def merge_marks(marks: Mapping[str, Mark], more: Iterable[tuple[str, Mark]]) -> dict[str, Mark]:
    """`marks` with the (entry id, mark) pairs of `more` merged in: per entry the mark that
    beats the other. A new dict; `marks` is not changed. The only merge there is: State.merge,
    the file reader and the store all come through here."""
    result = dict(marks)
    get = result.get
    for key, mark in more:
        current = get(key)
        if current is None or mark.beats(current):
            result[key] = mark
    return result


def changed_marks(before: State, after: State) -> int:
    """How many marks `after` holds that `before` does not hold as they are."""
    return sum(1 for kind in KINDS for key, mark in getattr(after, kind).items() if getattr(before, kind).get(key) != mark)


def now() -> datetime:
    """The time a change made now gets: UTC, whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


def change_time(current: Mark | None, at: datetime) -> datetime:
    """`at`, or a second after `current` when that is not earlier: a change always beats
    the mark it replaces, even within one second or after a clock went back."""
    if current is not None and current.at >= at:
        return current.at + timedelta(seconds=1)
    return at
