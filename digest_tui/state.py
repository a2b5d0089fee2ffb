"""Read marks and bookmarks in <config_dir>/state.toml, kept so that none is ever lost.

Every mark remembers when it was last changed, and a removal is kept as a mark too (a
tombstone), so two copies of the state can always be merged: per entry and per kind the
latest change wins. That is what lets two running instances, a sync conflict copy and a
hand-merged file all come together without losing or resurrecting anything.

The file (ids sorted, times in UTC, nothing pruned):

    version = 1

    [read]
    0123456789ab = 2026-11-24T21:13:43Z

    [unread]
    fedcba987654 = 2026-11-24T21:20:00Z

    [bookmarks]
    0123456789ab = { at = 2026-11-24T21:13:43Z, note = "read section 3 again" }

    [unbookmarked]
    fedcba987654 = { at = 2026-11-24T21:20:00Z }

[unread] and [unbookmarked] hold the removals; an unbookmarked entry keeps its note, so
bookmarking it again brings the note back.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import threading
import tomllib
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import repeat
from pathlib import Path

from digest_tui.atomic import FileLock, atomic_write_bytes, remove_stale_temp_files
from digest_tui.config import STATE_FILE
from digest_tui.files import read_regular_file

VERSION = 1
UTC = timezone.utc
LOCK_FILE = STATE_FILE + ".lock"
MERGED_DIR = "merged"
LOCK_TIMEOUT = 5.0
"""Seconds save() waits for another instance's lock before saving without it."""
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
"""Every mark is older than this: a change is saved a second after the mark it replaces
(see _after), so a mark at the end of what datetime holds could never be changed again."""

_TABLES = (("read", "read", True), ("unread", "read", False), ("bookmarks", "bookmarks", True), ("unbookmarked", "bookmarks", False))
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPED = re.compile(r'[\x00-\x1f\x7f"\\]')
_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_STEM, _SUFFIX = os.path.splitext(STATE_FILE)
_CONFLICT_COPY = re.compile(rf"{re.escape(_STEM)}[ ._-].*conflict.*{re.escape(_SUFFIX)}", re.IGNORECASE | re.DOTALL)


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
            raise ValueError(f"the time {_format_time(at)} is out of range (a mark must be before {LATEST.year})")

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
        return State(_merge_marks(self.read, other.read), _merge_marks(self.bookmarks, other.bookmarks))

    def copy(self) -> State:
        return State(dict(self.read), dict(self.bookmarks))

    def counts(self) -> tuple[int, int]:
        """How many entries are read and how many are bookmarked."""
        return sum(m.on for m in self.read.values()), sum(m.on for m in self.bookmarks.values())


def _merge_marks(a: dict[str, Mark], b: dict[str, Mark]) -> dict[str, Mark]:
    # Where both hold equal marks, a's objects are kept (StateStore's line cache knows them).
    result = dict(a)
    get = result.get
    for key, mark in b.items():
        current = get(key)
        if current is None or (current is not mark and mark.beats(current)):
            result[key] = mark
    return result


# --- the file format -------------------------------------------------------------------


class NewerVersionError(ValueError):
    """state.toml was written by a newer digest-tui, in a format this one does not know."""


def dump_state(state: State) -> str:
    """state.toml's text for `state`. Read marks carry no note (notes are for bookmarks)."""
    return _dump(state, None)


_HEADER = "# digest-tui read marks and bookmarks; times are UTC. Safe to edit while digest-tui is closed.\n"


def _dump(state: State, cache: dict[str, dict[str, tuple[Mark, str]]] | None) -> str:
    """dump_state, reusing the lines of marks that `cache` (kept by the caller between
    dumps, and updated here) has formatted before: a save rewrites 100,000 marks."""
    out = [_HEADER, f"version = {VERSION}\n"]
    times: dict[datetime, str] = {}
    for table, kind, on in _TABLES:
        marks: dict[str, Mark] = getattr(state, kind)
        lines = cache.setdefault(kind, {}) if cache is not None else {}
        out.append(f"\n[{table}]\n")
        for key in sorted([key for key, mark in marks.items() if mark.on is on]):
            mark = marks[key]
            hit = lines.get(key)
            if hit is not None and hit[0] is mark:
                out.append(hit[1])
                continue
            at = times.get(mark.at)
            if at is None:
                at = times[mark.at] = _format_time(mark.at)
            name = _key_text(key)
            if kind == "read":
                line = f"{name} = {at}\n"
            else:
                note = f", note = {_quote(mark.note)}" if mark.note else ""
                line = f"{name} = {{ at = {at}{note} }}\n"
            if cache is not None:
                lines[key] = (mark, line)
            out.append(line)
    return "".join(out)


def parse_state(text: str) -> State:
    """The state in `text` (state.toml's content). Raises ValueError saying what is wrong."""
    state, problems = _parse(text)
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ValueError(problems[0] + more)
    return state


def _parse(text: str, lines: dict[str, dict[str, tuple[Mark, str]]] | None = None) -> tuple[State, list[str]]:
    """The state in `text` and the items that had to be dropped (wrong type, unknown key,
    a time out of range).

    Raises ValueError when the text as a whole is not a state file. A file as `_dump` writes
    it is read without tomllib (a tenth of the time); `lines` then gets the formatted line of
    each mark, as `_dump` keeps them.
    """
    fast = _parse_canonical(text, lines)
    if fast is not None:
        return fast, []
    try:
        raw = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"not valid TOML: {error}") from None
    version = raw.pop("version", VERSION)
    if type(version) is not int or version < 1:
        raise ValueError(f"version must be a whole number from 1, not {version!r}")
    if version > VERSION:
        raise NewerVersionError(f"it was written by a newer digest-tui (format version {version}; this one knows {VERSION})")
    state = State()
    problems: list[str] = []
    for table, kind, on in _TABLES:
        section = raw.pop(table, {})
        if not isinstance(section, dict):
            raise ValueError(f"{table} must be a table like [{table}], not {_describe(section)}")
        marks = getattr(state, kind)
        first = not marks  # no entry can be in the table twice, so no merge needed
        for key, value in section.items():
            if type(value) is datetime and value.tzinfo is UTC and kind == "read" and value < LATEST:
                mark = Mark(on, value)  # the common case, kept fast
            else:
                mark = _item(kind, on, value)
                if isinstance(mark, str):
                    problems.append(f"[{table}] {_key_text(key)}: {mark}; dropped")
                    continue
            if first:
                marks[key] = mark
                continue
            current = marks.get(key)
            if current is None or mark.beats(current):
                marks[key] = mark
    problems.extend(f"unknown key {key!r} ({_describe(value)}); dropped" for key, value in raw.items())
    return state, problems


_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z"
# Each line as (line, key, time, note); a note without anything _quote escapes (and not
# empty: _dump leaves an empty note out).
_CANONICAL = {
    "read": re.compile(rf"^(([A-Za-z0-9_-]+) = ({_TIME})\n)()", re.M),
    "bookmarks": re.compile(rf'^(([A-Za-z0-9_-]+) = \{{ at = ({_TIME})(?:, note = "([^"\\\x00-\x1f\x7f]+)")? \}}\n)', re.M),
}
_CANONICAL_PREAMBLE = re.compile(r"(?:#[^\n]*\n|\n)*(?:version = 1\n(?:#[^\n]*\n|\n)*)?")
_TABLE_KINDS = {table: kind for table, kind, _ in _TABLES}
_LATEST_TEXT = f"{LATEST.year:04}"


def _parse_canonical(text: str, lines: dict[str, dict[str, tuple[Mark, str]]] | None) -> State | None:
    """The state in `text` when it is laid out exactly as `_dump` writes it (bare keys, UTC
    times, plain notes), else None: then tomllib reads it, and reports what is wrong."""
    # A hundred thousand marks and no garbage: the cycle collector would only walk them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_canonical(text, lines)
    finally:
        if collecting:
            gc.enable()


def _read_canonical(text: str, lines: dict[str, dict[str, tuple[Mark, str]]] | None) -> State | None:
    # Split at the lines that start with "[": only table headers can (keys are bare, notes
    # hold no line breaks); the line break before each belongs to the text above it.
    pieces = ("\n" + text.removeprefix("\ufeff")).split("\n[")
    if not _CANONICAL_PREAMBLE.fullmatch(pieces[0][1:] + "\n" if len(pieces) > 1 else pieces[0][1:]):
        return None
    # Each table as its columns: whole lines, keys, times and notes.
    tables: dict[str, tuple[tuple[str, ...], ...]] = {}
    for number, piece in enumerate(pieces[1:], start=2):
        table, bracket, body = piece.partition("]\n")
        if not bracket or table not in _TABLE_KINDS or table in tables:
            return None
        if number < len(pieces):
            body += "\n"
        columns = tuple(zip(*_CANONICAL[_TABLE_KINDS[table]].findall(body))) or ((), (), (), ())
        # Each match is one whole line: when the matches and the blank lines add up to the
        # whole body, no line is anything else.
        if sum(map(len, columns[0])) + body.count("\n") - len(columns[0]) != len(body):
            return None
        tables[table] = columns
    state = State()
    for table, kind, on in _TABLES:
        columns = tables.get(table)
        if not columns or not columns[0]:
            continue
        texts, keys, at, notes = columns
        count = len(keys)
        if max(at) >= _LATEST_TEXT:  # the times are all alike: as text they sort as times
            return None  # out of range: the slow reader drops it and says where
        try:
            times = list(map(datetime.fromisoformat, at))
        except ValueError:  # a time that does not exist (2026-02-30): tomllib says where
            return None
        new = _new_marks(on, times, notes if kind == "bookmarks" else repeat("", count), count)
        marks: dict[str, Mark] = getattr(state, kind)
        if not marks:
            marks.update(zip(keys, new))
            if len(marks) != count:
                return None  # a key twice in a table: tomllib says where
        else:
            if len(set(keys)) != count:
                return None
            for key, mark in zip(keys, new):
                current = marks.get(key)
                if current is None or mark.beats(current):
                    marks[key] = mark
        if lines is not None:
            # _dump uses a line only while its mark is the one in the state: a line of a mark
            # that lost to one of another table is never used.
            cache = lines.setdefault(kind, {})
            if set(map(len, at)) == {20}:  # no fractions of a second: as _dump writes them
                cache.update(zip(keys, zip(new, texts)))
            else:  # _dump writes a fraction as six digits, never all zeros
                exact = (len(time) == 20 or (len(time) == 27 and time[20:26] != "000000") for time in at)
                cache.update((key, (mark, line)) for key, mark, line, ok in zip(keys, new, texts, exact) if ok)
    return state


_MARK_SLOTS = (Mark.on, Mark.at, Mark.note)  # type: ignore[attr-defined]


def _new_marks(on: bool, times: Iterable[datetime], notes: Iterable[str], count: int) -> list[Mark]:
    """Marks of UTC times (fromisoformat of a "Z" time gives exactly UTC), made by setting
    their slots in C loops: Mark() takes ten times as long, a cost paid for each of 100,000
    read marks at every start."""
    marks = list(map(object.__new__, repeat(Mark, count)))
    for slot, values in zip(_MARK_SLOTS, (repeat(on, count), times, notes)):
        deque(map(slot.__set__, marks, values), maxlen=0)
    return marks


def _item(kind: str, on: bool, value: object) -> Mark | str:
    """A mark from a value that is not a plain UTC date-time, or what is wrong with it."""
    at, note = value, ""
    if kind == "bookmarks" and isinstance(value, dict):
        unknown = sorted(set(value) - {"at", "note"})
        if unknown:
            return f"unknown key {unknown[0]!r} in the bookmark"
        at, note = value.get("at"), value.get("note", "")
        if not isinstance(note, str):
            return f"the note must be a string, not {_describe(note)}"
    if type(at) is not datetime:
        example = "2026-11-24T21:13:43Z" if kind == "read" else "{ at = 2026-11-24T21:13:43Z }"
        return f"expected a time like {example}, not {_describe(at)}"
    try:
        return Mark(on, at if at.tzinfo is not None else at.replace(tzinfo=UTC), note)
    except ValueError as error:  # a time out of range
        return str(error)


def _describe(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '…' if len(text) > 40 else text}"


def _format_time(at: datetime) -> str:
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return at.isoformat()[:-6] + "Z"  # isoformat ends in +00:00; seconds, and microseconds if any


def _key_text(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _quote(key)


def _quote(text: str) -> str:
    """A TOML basic string (escapes as tomllib reads them back)."""
    return '"' + _ESCAPED.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not text (invalid UTF-8 at byte {error.start})") from None


def read_state_file(path: Path) -> tuple[State, list[str]]:
    """The state in the file at `path` and the items that had to be dropped from it.

    Raises OSError when it cannot be read, ValueError when it is not a state file."""
    return _parse(_decode(read_regular_file(path)))


def conflict_copies(directory: Path) -> list[Path]:
    """Sync conflict copies of state.toml in `directory` (Syncthing, Dropbox, Nextcloud …), sorted."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [directory / name for name in sorted(names) if _CONFLICT_COPY.fullmatch(name) and (directory / name).is_file()]


def load_state(path: Path) -> tuple[State, list[str]]:
    """The state in `path`, with any sync conflict copies next to it merged in (read only:
    nothing is moved or written). Never raises; warnings are user-facing sentences."""
    path = Path(path)
    warnings: list[str] = []
    try:
        state, problems = read_state_file(path)
    except FileNotFoundError:
        state, problems = State(), []
    except (OSError, ValueError) as error:
        state, problems = State(), []
        warnings.append(f"{path} cannot be used ({_reason(error)}); no read marks or bookmarks are shown")
    if problems:
        warnings.append(f"{path}: {_summary(problems)}")
    for copy in conflict_copies(path.parent):
        try:
            other, problems = read_state_file(copy)
        except (OSError, ValueError) as error:
            warnings.append(f"{copy}: sync conflict copy left out ({_reason(error)})")
            continue
        state = state.merge(other)
        if problems:
            warnings.append(f"{copy}: {_summary(problems)}")
    return state, warnings


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


def _summary(problems: list[str]) -> str:
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{len(problems)} invalid item{'s' if len(problems) > 1 else ''} dropped: {problems[0]}{more}"


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _free_name(path: Path) -> Path:
    """`path`, or `path` with -1, -2 … before its suffix when that name is taken."""
    if not os.path.lexists(path):
        return path
    stem, suffix = (path.stem, path.suffix) if path.suffix == _SUFFIX else (path.name, "")
    n = 1
    while os.path.lexists(candidate := path.with_name(f"{stem}-{n}{suffix}")):
        n += 1
    return candidate


# --- the store --------------------------------------------------------------------------


class _SaveError(Exception):
    """Why state.toml was not written: a user-facing sentence."""


class _MarkedIds(Collection[str]):
    """A live view of the ids that are read (or bookmarked) in a store: fast `in` and len()."""

    __slots__ = ("_store", "_kind", "_len", "_len_version")

    def __init__(self, store: StateStore, kind: str) -> None:
        self._store = store
        self._kind = kind
        self._len = 0
        self._len_version = -1

    def _marks(self) -> dict[str, Mark]:
        return getattr(self._store._state, self._kind)

    def __contains__(self, entry_id: object) -> bool:
        mark = self._marks().get(entry_id)  # type: ignore[call-overload]
        return mark is not None and mark.on

    def __len__(self) -> int:
        store = self._store
        with store._lock:
            if self._len_version != store._version:
                self._len = sum(m.on for m in self._marks().values())
                self._len_version = store._version
            return self._len

    def __iter__(self) -> Iterator[str]:
        with self._store._lock:
            return iter([key for key, mark in self._marks().items() if mark.on])

    def __repr__(self) -> str:
        return f"<{len(self)} {self._kind} ids>"


class StateStore:
    """Owns <directory>/state.toml: the marks in memory, merged with the file on every save.

    Thread-safe: marks may be set from one thread while another saves.
    """

    def __init__(self, directory: Path, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.directory = Path(directory)
        self.path = self.directory / STATE_FILE
        self.lock_path = self.directory / LOCK_FILE
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()  # the marks in memory
        self._io_lock = threading.Lock()  # one load or save at a time
        self._state = State()
        self._changes = 0  # local changes made so far
        self._saved_changes = 0  # … of which are on disk
        self._version = 0  # any change to the marks in memory
        self._known: bytes | None = None  # digest of the file content already merged into memory
        self._preserved: set[bytes] = set()  # digests of files with dropped items already copied aside
        self._blocked: str | None = None  # why saving is off for good (a newer format on disk)
        self._warned: set[tuple[str, int, int]] = set()  # conflict copies already warned about
        self._notices: list[str] = []
        self._lines: dict[str, dict[str, tuple[Mark, str]]] = {}  # formatted marks, for the next save
        self._failing = False
        self.last_error: str | None = None
        """While saves fail: why (save() returns it only on the first failure of a streak)."""
        self.read_ids: Collection[str] = _MarkedIds(self, "read")
        self.bookmarked_ids: Collection[str] = _MarkedIds(self, "bookmarks")

    # reading the marks

    @property
    def state(self) -> State:
        """A copy of the marks in memory."""
        with self._lock:
            return self._state.copy()

    def is_read(self, entry_id: str) -> bool:
        return self._state.is_read(entry_id)

    def is_bookmarked(self, entry_id: str) -> bool:
        return self._state.is_bookmarked(entry_id)

    def note(self, entry_id: str) -> str:
        return self._state.note(entry_id)

    @property
    def dirty(self) -> bool:
        """Whether some change is not on disk yet."""
        return self._changes != self._saved_changes

    # changing them

    def set_read(self, entry_id: str, on: bool = True) -> bool:
        """Mark an entry read (or unread); returns whether that changed anything."""
        return self.set_read_many((entry_id,), on) > 0

    def set_read_many(self, entry_ids: Iterable[str], on: bool = True) -> int:
        """Mark entries read (or unread) at once; returns how many changed."""
        now = _now()
        changed = 0
        with self._lock:
            marks = self._state.read
            for entry_id in entry_ids:
                current = marks.get(entry_id)
                if current is None and not on or current is not None and current.on is on:
                    continue
                marks[entry_id] = Mark(on, _after(current, now))
                changed += 1
            if changed:
                self._changed()
        return changed

    def set_bookmark(self, entry_id: str, on: bool = True) -> bool:
        """Bookmark an entry (or remove the bookmark, keeping its note for a later bookmark)."""
        with self._lock:
            current = self._state.bookmarks.get(entry_id)
            if current is None and not on or current is not None and current.on is on:
                return False
            note = current.note if current is not None else ""
            self._state.bookmarks[entry_id] = Mark(on, _after(current, _now()), note)
            self._changed()
            return True

    def set_note(self, entry_id: str, note: str) -> bool:
        """Set the note of a bookmark; an entry that is not bookmarked gets bookmarked with it
        (unless the note is empty)."""
        note = note.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates in the file
        with self._lock:
            current = self._state.bookmarks.get(entry_id)
            on = current is not None and current.on
            if (current.note if on else "") == note:  # type: ignore[union-attr]
                return False
            self._state.bookmarks[entry_id] = Mark(True, _after(current, _now()), note)
            self._changed()
            return True

    def _changed(self) -> None:
        self._changes += 1
        self._version += 1

    # messages

    def take_notices(self) -> list[str]:
        """Things saves did that the user should hear about (conflict copies merged, a
        corrupt file moved aside …) since the last call."""
        with self._lock:
            notices, self._notices = self._notices, []
        return notices

    # the file

    def load(self) -> list[str]:
        """Read state.toml (and merge any sync conflict copies) into memory; returns
        user-facing messages. Never raises."""
        with self._io_lock:
            try:
                if self.directory.is_dir():
                    with FileLock(self.lock_path, self.lock_timeout):
                        disk, digest = self._read_disk(loading=True)
                    if disk is not None:
                        self._absorb(disk)
                    self._known = digest
                    if conflict_copies(self.directory):
                        self._sync()
            except _SaveError as error:
                self._notices.append(str(error))
            except Exception as error:  # never raise into the reader
                self._notices.append(f"{self.path} could not be read ({_reason(error)}); starting without it")
            return self.take_notices()

    def save(self) -> str | None:
        """Merge the marks with state.toml (and any sync conflict copies) and write it.

        Returns None when saved, or a user-facing message when it could not write; that
        message only once per streak of failures (see last_error). Changes stay in memory
        (dirty stays True) and the next save tries again. Never raises.
        """
        with self._io_lock:
            try:
                self._sync()
            except _SaveError as error:
                return self._failed(str(error))
            except Exception as error:  # never raise into the reader
                return self._failed(self._could_not_write(error))
            self._failing = False
            self.last_error = None
            return None

    def merge_state(self, other: State) -> int:
        """Merge `other` (say, a file merged by hand) into the marks in memory, as a change
        for the next save; returns how many marks it changed."""
        with self._lock:
            merged = self._state.merge(other)
            changed = _differences(self._state, merged)
            if changed:
                self._state = merged
                self._changed()
        return changed

    def _absorb(self, other: State) -> None:
        """Merge what the file holds into memory (not a change to save)."""
        with self._lock:
            self._state = other if not (self._state.read or self._state.bookmarks) else self._state.merge(other)
            self._version += 1

    def _failed(self, message: str) -> str | None:
        self.last_error = message
        if self._failing:
            return None
        self._failing = True
        return message

    def _could_not_write(self, error: BaseException) -> str:
        return f"Could not save read marks and bookmarks to {self.path} ({_reason(error)}); they are kept in memory and saved once writing works again"

    def _sync(self) -> None:
        """The save itself, under the file lock; raises _SaveError when it cannot write."""
        if self._blocked:
            raise _SaveError(self._blocked)
        if not self.dirty and not self.directory.is_dir():
            return  # nothing to save, and no directory to hold it yet
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _SaveError(self._could_not_write(error)) from None
        with FileLock(self.lock_path, self.lock_timeout) as lock:
            if lock.held:
                remove_stale_temp_files(self.path)
            disk, digest = self._read_disk()
            copies = self._read_copies()
            with self._lock:
                changes = self._changes
                merged = self._state.copy()
            for _, other in copies:
                merged = merged.merge(other)
            if disk is not None:
                merged = merged.merge(disk)
            data = None
            if changes != self._saved_changes or copies or disk is not None and merged != disk:
                data = _dump(merged, self._lines).encode("utf-8")
            if disk is not None or copies:
                # Memory gets everything first, so a failed write loses nothing that was read.
                self._adopt(merged, changes)
            self._known = digest
            if data is not None:
                try:
                    atomic_write_bytes(self.path, data)
                except OSError as error:
                    raise _SaveError(self._could_not_write(error)) from None
                self._known = _digest(data)
            self._saved_changes = changes
            if copies:
                self._file_copies([path for path, _ in copies])

    def _adopt(self, merged: State, changes: int) -> None:
        """Make `merged` (memory as of `changes` merged with what was read) the marks in memory."""
        with self._lock:
            if merged is self._state:
                return
            if self._changes != changes:  # marks set while the file was read: keep them too
                merged = self._state.merge(merged)
            self._state = merged
            self._version += 1

    def _read_disk(self, *, loading: bool = False) -> tuple[State | None, bytes | None]:
        """What state.toml holds (None when it holds nothing memory does not have already),
        and the digest of its content to remember once that is merged into memory.

        A corrupt file is moved aside and counts as empty; a file with invalid items is
        copied aside before anything is written. Raises _SaveError when that cannot be done
        or the file cannot be read, so that it is never overwritten unseen.
        """
        try:
            data = read_regular_file(self.path)
        except FileNotFoundError:
            return State(), None
        except OSError as error:
            raise _SaveError(f"{self.path} cannot be read ({_reason(error)}); it is left alone and nothing is saved over it") from None
        digest = _digest(data)
        if digest == self._known:
            return None, digest
        try:
            state, problems = _parse(_decode(data), self._lines)
        except NewerVersionError as error:
            self._blocked = f"{self.path}: {error}; read marks and bookmarks are not saved, so as not to overwrite it"
            raise _SaveError(self._blocked) from None
        except ValueError as error:
            aside = self._set_aside(data, move=True)
            then = "starting empty" if loading else "writing the marks in memory to a new one"
            self._notices.append(f"{self.path.name} was corrupt ({error}); moved to {aside}; {then}")
            return State(), None
        if problems and digest not in self._preserved:
            aside = self._set_aside(data, move=False)
            self._preserved.add(digest)
            self._notices.append(f"{self.path.name}: {_summary(problems)}; the original is kept in {aside}")
        return state, digest

    def _set_aside(self, data: bytes, *, move: bool) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = _free_name(self.path.with_name(f"{self.path.name}.corrupt-{stamp}"))
        try:
            if move:
                os.rename(self.path, aside)
            else:
                atomic_write_bytes(aside, data)
        except OSError as error:
            what = "corrupt" if move else "has invalid items and"
            raise _SaveError(f"{self.path} is {what} could not be set aside ({_reason(error)}); nothing is saved over it") from None
        return aside

    def _read_copies(self) -> list[tuple[Path, State]]:
        copies = []
        for path in conflict_copies(self.directory):
            try:
                state, problems = read_state_file(path)
            except (OSError, ValueError) as error:
                try:
                    info = path.stat()
                    key = (path.name, info.st_size, info.st_mtime_ns)
                except OSError:
                    key = (path.name, 0, 0)
                if key not in self._warned:  # once per version of the file, not on every save
                    self._warned.add(key)
                    self._notices.append(f"{path} (a sync conflict copy of {self.path.name}) cannot be merged ({_reason(error)}); it is left where it is")
                continue
            if problems:
                self._notices.append(f"{path}: {_summary(problems)} (the file is kept in {MERGED_DIR}/)")
            copies.append((path, state))
        return copies

    def _file_copies(self, paths: list[Path]) -> None:
        """Move merged conflict copies into merged/ (never deleting them)."""
        folder = self.directory / MERGED_DIR
        moved = []
        for path in paths:
            try:
                folder.mkdir(exist_ok=True)
                os.rename(path, _free_name(folder / path.name))
                moved.append(path.name)
            except OSError as error:
                self._notices.append(f"{path} was merged into {self.path.name} but could not be moved to {folder} ({_reason(error)})")
        if moved:
            names = ", ".join(moved)
            self._notices.append(f"Merged sync conflict cop{'ies' if len(moved) > 1 else 'y'} {names} into {self.path.name}; moved to {folder}")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _after(current: Mark | None, now: datetime) -> datetime:
    """`now`, or a second after `current` when that is not earlier: a change always beats
    the mark it replaces, even within one second or after a clock went back."""
    if current is not None and current.at >= now:
        return current.at + timedelta(seconds=1)
    return now


def _differences(before: State, after: State) -> int:
    return sum(
        1
        for kind in ("read", "bookmarks")
        for key, mark in getattr(after, kind).items()
        if getattr(before, kind).get(key) != mark
    )
