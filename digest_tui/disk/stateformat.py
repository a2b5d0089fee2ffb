"""state.toml's format: TOML, written by tomli_w and read by tomllib; and reading state files
(state.toml and its sync conflict copies) without changing them.

    version = 1

    [read]
    0123456789ab = 2026-11-24 21:13:43+00:00

    [unread]
    fedcba987654 = 2026-11-24 21:20:00+00:00

    [bookmarks.0123456789ab]
    at = 2026-11-24 21:13:43+00:00
    note = "read section 3 again"

    [unbookmarked.fedcba987654]
    at = 2026-11-24 21:20:00+00:00

Ids sorted, times in UTC, nothing pruned. [unread] and [unbookmarked] hold the removals (see
marks.py); an unbookmarked entry keeps its note, so bookmarking it again brings the note back.
Any TOML that holds the same tables reads the same: earlier versions wrote `…T21:13:43Z` and
bookmarks as inline tables, `0123456789ab = { at = 2026-11-24T21:13:43Z, note = "…" }`.
"""

from __future__ import annotations

import os
import re
import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path

import tomli_w

from digest_tui.disk.files import read_regular_file
from digest_tui.disk.marks import LATEST, Mark, State, merge_marks
from digest_tui.text.wording import plural

STATE_FILE = "state.toml"
"""The file in the config directory that holds the read marks and bookmarks."""

VERSION = 1
HEADER = "# digest-tui read marks and bookmarks; times are UTC. Safe to edit while digest-tui is closed.\n"
TABLES = (("read", "read", True), ("unread", "read", False), ("bookmarks", "bookmarks", True), ("unbookmarked", "bookmarks", False))
"""Each table of the file: its name, the kind of marks it holds, and whether they are set."""


class NewerVersionError(ValueError):
    """state.toml was written by a newer digest-tui, in a format this one does not know."""


# --- writing ----------------------------------------------------------------------------


def dump_state(state: State) -> str:
    """state.toml's text for `state`. Read marks carry no note (notes are for bookmarks)."""
    tables: dict[str, object] = {"version": VERSION}
    for table, kind, on in TABLES:
        marks: dict[str, Mark] = getattr(state, kind)
        keys = sorted([key for key, mark in marks.items() if mark.on is on])
        tables[table] = {key: marks[key].at if kind == "read" else _bookmark(marks[key]) for key in keys}
    return HEADER + tomli_w.dumps(tables)


def _bookmark(mark: Mark) -> dict[str, object]:
    return {"at": mark.at, "note": mark.note} if mark.note else {"at": mark.at}


# --- reading ----------------------------------------------------------------------------


def parse_state(text: str) -> State:
    """The state in `text` (state.toml's content). Raises ValueError saying what is wrong."""
    state, problems = read_state_text(text)
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ValueError(problems[0] + more)
    return state


def read_state_text(text: str, *, quick: bool = True) -> tuple[State, list[str]]:
    """The state in `text` and the items that had to be dropped (wrong type, unknown key, a
    time out of range). Raises ValueError when the text as a whole is not a state file.

    quick: take the lines of [read] and [unread] that are laid out as dump_state writes them
    out of the text before tomllib reads the rest (see _take_read_marks); False: tomllib reads
    it all. Both give the same state and problems, or the same error.
    """
    text = text.removeprefix("\ufeff")
    rest, taken = _take_read_marks(text) if quick else (text, {})
    try:
        raw = tomllib.loads(rest)
    except tomllib.TOMLDecodeError as error:
        if taken:  # the error's line is counted in what was left: say where it is in the file
            return read_state_text(text, quick=False)
        raise ValueError(f"not valid TOML: {error}") from None
    if any(raw.get(table) for table in taken):  # more than plain lines in those tables
        return read_state_text(text, quick=False)
    return _state_of(raw, taken)


def _state_of(raw: dict[str, object], taken: dict[str, dict[str, Mark]]) -> tuple[State, list[str]]:
    """The state that tomllib's reading of a file holds, with the tables `taken` the quick
    way, and the items dropped from it."""
    version = raw.pop("version", VERSION)
    if type(version) is not int or version < 1:
        raise ValueError(f"version must be a whole number from 1, not {version!r}")
    if version > VERSION:
        raise NewerVersionError(f"it was written by a newer digest-tui (format version {version}; this one knows {VERSION})")
    state = State()
    problems: list[str] = []
    for table, kind, on in TABLES:
        section = raw.pop(table, {})
        if not isinstance(section, dict):
            raise ValueError(f"{table} must be a table like [{table}], not {_describe(section)}")
        marks = taken.get(table)
        if marks is None:
            marks = _marks_of(table, kind, on, section, problems)
        # A key is in a table only once; the same entry in [read] and [unread] is merged.
        earlier = getattr(state, kind)
        setattr(state, kind, merge_marks(earlier, marks.items()) if earlier else marks)
    problems.extend(f"unknown key {key!r} ({_describe(value)}); dropped" for key, value in raw.items())
    return state, problems


def _marks_of(table: str, kind: str, on: bool, section: dict[str, object], problems: list[str]) -> dict[str, Mark]:
    """The marks of one table as tomllib read it; what has to be dropped goes to `problems`."""
    marks: dict[str, Mark] = {}
    for key, value in section.items():
        mark = _mark(kind, on, value)
        if isinstance(mark, str):
            problems.append(f"[{table}] {_key_text(key)}: {mark}; dropped")
        else:
            marks[key] = mark
    return marks


def _mark(kind: str, on: bool, value: object) -> Mark | str:
    """The mark a table's value stands for, or what is wrong with it."""
    at, note = value, ""
    if kind == "bookmarks" and isinstance(value, dict):
        unknown = sorted(set(value) - {"at", "note"})
        if unknown:
            return f"unknown key {unknown[0]!r} in the bookmark"
        at, note = value.get("at"), value.get("note", "")
        if not isinstance(note, str):
            return f"the note must be a string, not {_describe(note)}"
    if type(at) is not datetime:
        example = "2026-11-24 21:13:43+00:00" if kind == "read" else "{ at = 2026-11-24 21:13:43+00:00 }"
        return f"expected a time like {example}, not {_describe(at)}"
    try:
        return Mark(on, at if at.tzinfo is not None else at.replace(tzinfo=UTC), note)
    except ValueError as error:  # a time out of range
        return str(error)


def _describe(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '…' if len(text) > 40 else text}"


def _key_text(key: str) -> str:
    """`key` as TOML writes it (quoted when it is not a bare key)."""
    return tomli_w.dumps({key: 0}).rstrip("\n").rpartition(" = ")[0]


# --- state files on disk ------------------------------------------------------------


def read_state_file(path: Path) -> tuple[State, list[str]]:
    """The state in the file at `path` and the items that had to be dropped from it.

    Raises OSError when it cannot be read, ValueError when it is not a state file."""
    return read_state_text(decode(read_regular_file(path)))


_STEM, _SUFFIX = os.path.splitext(STATE_FILE)
_CONFLICT_COPY = re.compile(rf"{re.escape(_STEM)}[ ._-].*conflict.*{re.escape(_SUFFIX)}", re.IGNORECASE | re.DOTALL)


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
        warnings.append(f"{path} cannot be used ({reason(error)}); no read marks or bookmarks are shown")
    if problems:
        warnings.append(f"{path}: {summary(problems)}")
    for copy in conflict_copies(path.parent):
        try:
            other, problems = read_state_file(copy)
        except (OSError, ValueError) as error:
            warnings.append(f"{copy}: sync conflict copy left out ({reason(error)})")
            continue
        state = state.merge(other)
        if problems:
            warnings.append(f"{copy}: {summary(problems)}")
    return state, warnings


def reason(error: BaseException) -> str:
    """Why `error` happened, to end a sentence with: an OSError's strerror, else its message."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


def summary(problems: list[str]) -> str:
    """The items a reading dropped, in a sentence: how many, and the first."""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{plural(len(problems), 'invalid item')} dropped: {problems[0]}{more}"


def decode(data: bytes) -> str:
    """A state file's bytes as text; ValueError when they are not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not text (invalid UTF-8 at byte {error.start})") from None


# --- the quick reading of read marks ----------------------------------------------------

# A read mark as dump_state writes it (and as earlier versions did, with T and Z): a bare
# key, a UTC time, nothing else on the line.
_READ_LINE = re.compile(r"^([A-Za-z0-9_-]+) = (\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{6})?(?:Z|\+00:00))$", re.MULTILINE)
_QUICK_TABLES = (("[read]\n", "read", True), ("[unread]\n", "unread", False))


def _take_read_marks(text: str) -> tuple[str, dict[str, dict[str, Mark]]]:
    """`text` without the lines of [read] and [unread] when every line of the table is a plain
    read mark, and the marks of those lines by table: tomllib then reads what is left.

    tomllib takes several microseconds a line: for 100,000 read marks at every start, most of a
    second that the reader's first rows would wait for (docs/benchmarks.md). A table with
    anything else in it (a comment, a quoted key, a time in another zone or out of range, a
    key twice, an impossible date) is left whole for tomllib, which reads it or says what is
    wrong. The text is searched a window at a time (_find) and cut where the tables are, not
    split at every header: a search or split of megabytes is one C call that holds the
    interpreter lock, and the reader's own thread waits for it.
    """
    if _find(text, '"""') >= 0 or _find(text, "'''") >= 0:
        return text, {}  # a line inside a multi-line string could look like "[read]"
    taken: dict[str, dict[str, Mark]] = {}
    cuts = []
    for header, table, on in _QUICK_TABLES:
        # Only a table header starts a line with "[" outside a multi-line string, so a table's
        # lines run to the next line that starts with "[" (the first table of a name is taken).
        start = 0 if text.startswith(header) else _find(text, "\n" + header) + 1
        if start == 0 and not text.startswith(header):
            continue  # no such table
        body = start + len(header)
        end = _find(text, "\n[", body)
        end = len(text) if end < 0 else end
        lines = text[body:end]
        marks = _read_marks(lines if lines.endswith("\n") or not lines else lines + "\n", on)
        if marks is not None:
            taken[table] = marks
            cuts.append((body, end))
    if not taken:
        return text, {}
    kept, done = [], 0
    for body, end in sorted(cuts):
        kept.append(text[done:body])
        done = end
    kept.append(text[done:])
    return "".join(kept), taken


_WINDOW = 1 << 18
"""Characters searched at once by _find: a fraction of a millisecond."""


def _find(text: str, needle: str, start: int = 0) -> int:
    """text.find(needle, start), searching one window at a time so that other threads run in
    between (a window ends len(needle) - 1 characters into the next, so no match is missed)."""
    while start < len(text):
        found = text.find(needle, start, start + _WINDOW + len(needle) - 1)
        if found >= 0:
            return found
        start += _WINDOW
    return -1


def _read_marks(lines: str, on: bool) -> dict[str, Mark] | None:
    """The marks of a table's `lines` when each is a read mark or blank, else None.

    Read a chunk of lines at a time, letting other threads run in between: each chunk is a
    few C calls that hold the interpreter lock, and the whole table at once would hold it for
    tens of milliseconds, so the reader's own thread would stall while this one loads."""
    marks: dict[str, Mark] = {}
    count = 0
    for chunk in _chunks(lines, _CHUNK):
        pairs = _read_chunk(chunk, on)
        if pairs is None:
            return None
        marks.update(pairs)
        count += len(pairs)
        time.sleep(0)
    return marks if len(marks) == count else None  # a key twice: tomllib says where


_CHUNK = 1 << 16
"""Characters of read-mark lines read at once: about 1,900 marks, a millisecond or two."""


def _chunks(text: str, size: int) -> Iterator[str]:
    """`text` in pieces of whole lines, each `size` characters or a line more."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _read_chunk(lines: str, on: bool) -> list[tuple[str, Mark]] | None:
    """The marks of `lines` when each is a read mark or blank, else None."""
    pairs = _READ_LINE.findall(lines)
    keys = [key for key, _ in pairs]
    stamps = [stamp for _, stamp in pairs]
    # The matches are whole lines: when they and one newline for each other line make up all
    # of `lines`, every other line is blank.
    if sum(map(len, keys)) + sum(map(len, stamps)) + 3 * len(pairs) + lines.count("\n") != len(lines):
        return None
    try:
        times = list(map(datetime.fromisoformat, stamps))
    except ValueError:  # 2026-02-30: tomllib says where
        return None
    if times and max(times) >= LATEST:  # out of range: tomllib's reading drops it and says where
        return None
    return list(zip(keys, map(Mark, repeat(on), times)))
