"""<config_dir>/state.toml, kept so that no mark is ever lost.

StateStore holds the marks in memory and merges them with the file on every save, under a
lock that other instances wait for; it writes atomically, merges sync conflict copies (and
files them in merged/), sets a corrupt file aside instead of overwriting it, and says what it
did in notices. The marks and their merge are in marks.py, the file format in stateformat.py.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from digest_tui.disk.atomic import WaitedLock, atomic_write_bytes, remove_stale_temp_files
from digest_tui.disk.files import read_regular_file
from digest_tui.disk.marks import Mark, State, change_time, changed_marks, now
from digest_tui.disk.stateformat import STATE_FILE, NewerVersionError, conflict_copies, decode, dump_state, read_state_file, read_state_text, reason, summary

LOCK_FILE = STATE_FILE + ".lock"
MERGED_DIR = "merged"
LOCK_TIMEOUT = 5.0
"""Seconds save() waits for another instance's lock before saving without it."""

_SUFFIX = os.path.splitext(STATE_FILE)[1]


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
        marks: dict[str, Mark] = getattr(self._store._state, self._kind)
        return marks

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
        self._unlocked = False  # the last save went ahead without the lock (told once a streak)
        self._notices: list[str] = []
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
        at = now()
        changed = 0
        with self._lock:
            marks = self._state.read
            for entry_id in entry_ids:
                current = marks.get(entry_id)
                if current is None and not on or current is not None and current.on is on:
                    continue
                marks[entry_id] = Mark(on, change_time(current, at))
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
            self._state.bookmarks[entry_id] = Mark(on, change_time(current, now()), note)
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
            self._state.bookmarks[entry_id] = Mark(True, change_time(current, now()), note)
            self._changed()
            return True

    def merge_state(self, other: State) -> int:
        """Merge `other` (say, a file merged by hand) into the marks in memory, as a change
        for the next save; returns how many marks it changed."""
        with self._lock:
            merged = self._state.merge(other)
            changed = changed_marks(self._state, merged)
            if changed:
                self._state = merged
                self._changed()
        return changed

    def _changed(self) -> None:
        self._changes += 1
        self._version += 1

    # messages

    def take_notices(self) -> list[str]:
        """Things saves did that the user should hear about (conflict copies merged, a
        corrupt file moved aside, a save without the lock …) since the last call."""
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
                    with WaitedLock(self.lock_path, self.lock_timeout):
                        disk, digest = self._read_disk(loading=True)
                    if disk is not None:
                        self._absorb(disk)
                    self._known = digest
                    if conflict_copies(self.directory):
                        self._sync()
            except _SaveError as error:
                self._notices.append(str(error))
            except Exception as error:  # never raise into the reader
                self._notices.append(f"{self.path} could not be read ({reason(error)}); starting without it")
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
        return f"Could not save read marks and bookmarks to {self.path} ({reason(error)}); they are kept in memory and saved once writing works again"

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
        with WaitedLock(self.lock_path, self.lock_timeout) as lock:
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
            if disk is not None or copies:
                # Memory gets everything first, so a failed write loses nothing that was read.
                self._adopt(merged, changes)
            self._known = digest
            if changes != self._saved_changes or copies or disk is not None and merged != disk:
                self._write(dump_state(merged).encode("utf-8"), lock.problem)
            self._saved_changes = changes
            if copies:
                self._file_copies([path for path, _ in copies])

    def _write(self, data: bytes, unlocked: str | None) -> None:
        """Write state.toml; `unlocked`: why the lock is not held (told once a streak)."""
        try:
            atomic_write_bytes(self.path, data)
        except OSError as error:
            raise _SaveError(self._could_not_write(error)) from None
        self._known = _digest(data)
        if unlocked and not self._unlocked:
            self._notices.append(
                f"Saved read marks and bookmarks without the lock ({unlocked}); a change another digest-tui saves at the same moment could be lost"
            )
        self._unlocked = unlocked is not None

    def _adopt(self, merged: State, changes: int) -> None:
        """Make `merged` (memory as of `changes` merged with what was read) the marks in memory."""
        with self._lock:
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
            raise _SaveError(f"{self.path} cannot be read ({reason(error)}); it is left alone and nothing is saved over it") from None
        digest = _digest(data)
        if digest == self._known:
            return None, digest
        try:
            state, problems = read_state_text(decode(data))
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
            self._notices.append(f"{self.path.name}: {summary(problems)}; the original is kept in {aside}")
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
            raise _SaveError(f"{self.path} is {what} could not be set aside ({reason(error)}); nothing is saved over it") from None
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
                    self._notices.append(f"{path} (a sync conflict copy of {self.path.name}) cannot be merged ({reason(error)}); it is left where it is")
                continue
            if problems:
                self._notices.append(f"{path}: {summary(problems)} (the file is kept in {MERGED_DIR}/)")
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
                self._notices.append(f"{path} was merged into {self.path.name} but could not be moved to {folder} ({reason(error)})")
        if moved:
            names = ", ".join(moved)
            self._notices.append(f"Merged sync conflict cop{'ies' if len(moved) > 1 else 'y'} {names} into {self.path.name}; moved to {folder}")


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
