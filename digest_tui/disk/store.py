"""<config_dir>/state.toml, kept so that no mark is ever lost.

StateStore holds the marks in memory and merges them with the file on every save, under a
lock that other instances wait for; it writes atomically, merges sync conflict copies (and
files them in merged/), sets a corrupt file aside instead of overwriting it, and says what it
did in notices. The marks and their merge are in marks.py, the file format in stateformat.py.

Starting takes two steps. load_read_ids() takes the read ids from state.readids (readids.py)
in milliseconds, so the first rows can show what is read; load() then reads state.toml whole
and from then on the marks answer. Changes made between the two are made again on the file's
marks when load() has read them, and no save happens from the first step alone: save() runs
the full load first.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from digest_tui.disk import readids
from digest_tui.disk.atomic import WaitedLock, atomic_write_bytes, remove_stale_temp_files
from digest_tui.disk.files import open_regular_file
from digest_tui.disk.marks import Mark, State, change_time, changed_marks, now
from digest_tui.disk.readids import Source
from digest_tui.disk.stateformat import STATE_FILE, NewerVersionError, conflict_copies, decode, dump_state, read_state_file, read_state_text, reason, summary

LOCK_FILE = STATE_FILE + ".lock"
MERGED_DIR = "merged"
LOCK_TIMEOUT = 5.0
"""Seconds save() waits for another instance's lock before saving without it."""

_SUFFIX = os.path.splitext(STATE_FILE)[1]

QuickIds = frozenset[str] | None
"""The read ids the quick step took from the snapshot, until the full load (None: not in it)."""
Change = Callable[[State, QuickIds], int]
"""A change to the marks, made on a State: returns how many marks it changed."""


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

    def _quick(self) -> QuickIds:
        return self._store._quick if self._kind == "read" else None

    def __contains__(self, entry_id: object) -> bool:
        quick = self._quick()  # before the marks: see StateStore.is_read
        mark: Mark | None = self._marks().get(entry_id)  # type: ignore[call-overload]
        if mark is not None:
            return mark.on
        return quick is not None and entry_id in quick

    def __len__(self) -> int:
        store = self._store
        with store._lock:
            if self._len_version != store._version:
                marks, quick = self._marks(), self._quick()
                self._len = sum(m.on for m in marks.values())
                if quick is not None:  # and the quick ids that no mark overrides
                    self._len += len(quick) - len(quick.intersection(marks))
                self._len_version = store._version
            return self._len

    def __iter__(self) -> Iterator[str]:
        with self._store._lock:
            marks, quick = self._marks(), self._quick()
            ids = [key for key, mark in marks.items() if mark.on]
            if quick is not None:
                ids.extend(quick.difference(marks))
            return iter(ids)

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
        self.snapshot_path = self.directory / readids.SNAPSHOT_FILE
        self._quick: QuickIds = None
        self._quick_snapshot: tuple[Source, frozenset[str]] | None = None  # what the quick step read
        self._early: list[Change] = []  # changes made in the quick step, made again on the full marks
        self._full = False  # the file has been read whole (by load or save)
        self._snapshot_source: Source | None = None  # the state.toml the snapshot is known to be made from
        self.read_ids: Collection[str] = _MarkedIds(self, "read")
        self.bookmarked_ids: Collection[str] = _MarkedIds(self, "bookmarks")

    # reading the marks

    @property
    def state(self) -> State:
        """A copy of the marks in memory (after the quick step and before load(): only the
        changes made since)."""
        with self._lock:
            return self._state.copy()

    def is_read(self, entry_id: str) -> bool:
        # The quick ids first: the full load puts the full marks in place before it drops them.
        quick = self._quick
        mark = self._state.read.get(entry_id)
        if mark is not None:
            return mark.on
        return quick is not None and entry_id in quick

    def is_bookmarked(self, entry_id: str) -> bool:
        return self._state.is_bookmarked(entry_id)

    def note(self, entry_id: str) -> str:
        return self._state.note(entry_id)

    @property
    def loaded(self) -> bool:
        """Whether load() (or a save) has run: from then on the marks in memory are all there
        are. Before that, after the quick step, read marks are known but bookmarks and notes
        are not: a note editor opened then would start empty and replace a note it never showed."""
        return self._full

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
        return self._change(partial(_set_read, entry_ids=list(entry_ids), on=on))

    def set_bookmark(self, entry_id: str, on: bool = True) -> bool:
        """Bookmark an entry (or remove the bookmark, keeping its note for a later bookmark)."""
        return self._change(partial(_set_bookmark, entry_id=entry_id, on=on)) > 0

    def set_note(self, entry_id: str, note: str) -> bool:
        """Set the note of a bookmark; an entry that is not bookmarked gets bookmarked with it
        (unless the note is empty)."""
        note = note.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates in the file
        return self._change(partial(_set_note, entry_id=entry_id, note=note)) > 0

    def merge_state(self, other: State) -> int:
        """Merge `other` (say, a file merged by hand) into the marks in memory, as a change
        for the next save; returns how many marks it changed."""
        return self._change(partial(_merge, other=other))

    def _change(self, change: Change) -> int:
        """Make `change` on the marks in memory; in the quick step, keep it to make again on
        the full marks (only when it changed something: a change that did nothing here, say an
        empty note on a bookmark not known yet, could undo what the file holds)."""
        with self._lock:
            changed = change(self._state, self._quick)
            if changed:
                self._changed()
                if self._quick is not None:
                    self._early.append(change)
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

    def load_read_ids(self) -> bool:
        """The quick first step at start, before load(): take the read ids from state.readids
        when it was made from state.toml as that file is now (milliseconds at 100,000 marks; no
        TOML is read). is_read and read_ids answer from them until load() has read the file;
        bookmarks and notes wait for load(). Returns whether it took them: not when there is no
        fresh snapshot, once the file has been read, when marks are in memory already, or while
        sync conflict copies wait to be merged (their marks come with load()). Never raises."""
        with self._io_lock:
            if self._full or self._quick is not None or self._state.read or self._state.bookmarks:
                return False
            if conflict_copies(self.directory):
                return False
            snapshot = readids.read_fresh(self.snapshot_path, self.path)
            if snapshot is None:
                return False
            with self._lock:
                self._quick_snapshot, self._quick = snapshot, snapshot[1]
                self._version += 1
            return True

    def load(self) -> list[str]:
        """Read state.toml (and merge any sync conflict copies) into memory; returns
        user-facing messages. Never raises."""
        with self._io_lock:
            self._load()
            return self.take_notices()

    def _load(self) -> None:
        """load(), its messages kept as notices."""
        try:
            if self.directory.is_dir():
                with WaitedLock(self.lock_path, self.lock_timeout):
                    disk, digest, source = self._read_disk(loading=True)
                read = _read_set(disk) if disk is not None and source is not None else None
                if disk is not None:
                    self._absorb(disk)
                self._known = digest
                if source is not None and read is not None:
                    self._refresh_snapshot(source, read)
                if conflict_copies(self.directory):
                    self._sync()
        except _SaveError as error:
            self._notices.append(str(error))
        except Exception as error:  # never raise into the reader
            self._notices.append(f"{self.path} could not be read ({reason(error)}); starting without it")
        finally:
            if self._quick is not None:  # the file could not be read
                self._absorb(None)
            self._full = True

    def save(self) -> str | None:
        """Merge the marks with state.toml (and any sync conflict copies) and write it.

        Returns None when saved, or a user-facing message when it could not write; that
        message only once per streak of failures (see last_error). Changes stay in memory
        (dirty stays True) and the next save tries again. Never raises.
        """
        with self._io_lock:
            if self._quick is not None:  # never save from the quick step's read ids alone
                self._load()
            try:
                self._sync()
            except _SaveError as error:
                return self._failed(str(error))
            except Exception as error:  # never raise into the reader
                return self._failed(self._could_not_write(error))
            self._failing = False
            self.last_error = None
            return None

    def _absorb(self, other: State | None) -> None:
        """Merge what the file holds into memory (not a change to save), and end the quick step:
        the changes made in it are made again on the file's marks, as if made after those were
        read (other None: the file could not be read, and they stay as they were made)."""
        with self._lock:
            if self._quick is not None:
                if other is not None:
                    for change in self._early:
                        change(other, None)
                    self._state = other
                self._quick, self._early = None, []
            elif other is not None:
                self._state = other if not (self._state.read or self._state.bookmarks) else self._state.merge(other)
            self._version += 1

    def _refresh_snapshot(self, source: Source, read: frozenset[str]) -> None:
        """Make state.readids the snapshot of `read`, the read ids of the state.toml `source`
        names, unless it is that already (compared with what the quick step took, else read
        back). One that cannot be written is only missing."""
        if source == self._snapshot_source:
            return
        found, self._quick_snapshot = self._quick_snapshot, None
        if found is None or found[0] != source:
            found = readids.read(self.snapshot_path)
        if found != (source, read) and not readids.write(self.snapshot_path, source, read):
            return
        self._snapshot_source = source

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
                remove_stale_temp_files(self.snapshot_path)
            disk, digest, source = self._read_disk()
            self._full = True
            copies = self._read_copies()
            with self._lock:
                changes = self._changes
                merged = self._state.copy()
            for _, other in copies:
                merged = merged.merge(other)
            if disk is not None:
                merged = merged.merge(disk)
            if disk is not None or copies:
                # Memory gets everything first, so a failed write loses nothing that was read;
                # a copy, as marks set from now on change memory while `merged` is written.
                self._adopt(merged.copy(), changes)
            self._known = digest
            if changes != self._saved_changes or copies or disk is not None and merged != disk:
                self._write(merged, lock.problem)
            elif disk is not None and source is not None:  # another process saved it
                self._refresh_snapshot(source, _read_set(disk))
            self._saved_changes = changes
            if copies:
                self._file_copies([path for path, _ in copies])

    def _write(self, state: State, unlocked: str | None) -> None:
        """Write `state` to state.toml, and its snapshot; `unlocked`: why the lock is not held
        (told once a streak)."""
        data = dump_state(state).encode("utf-8")
        try:
            atomic_write_bytes(self.path, data)
        except OSError as error:
            raise _SaveError(self._could_not_write(error)) from None
        self._known = _digest(data)
        self._write_snapshot(data, state)
        if unlocked and not self._unlocked:
            self._notices.append(
                f"Saved read marks and bookmarks without the lock ({unlocked}); a change another digest-tui saves at the same moment could be lost"
            )
        self._unlocked = unlocked is not None

    def _write_snapshot(self, data: bytes, state: State) -> None:
        """The snapshot of `state`, just written to state.toml as `data`."""
        try:
            source = readids.source_of(data, os.stat(self.path))
        except OSError:
            return
        # None first: should this write fail, the snapshot on disk is of an older file.
        self._snapshot_source = None
        if readids.write(self.snapshot_path, source, _read_set(state)):
            self._snapshot_source = source

    def _adopt(self, merged: State, changes: int) -> None:
        """Make `merged` (memory as of `changes` merged with what was read) the marks in memory."""
        with self._lock:
            if self._changes != changes:  # marks set while the file was read: keep them too
                merged = self._state.merge(merged)
            self._state = merged
            self._version += 1

    def _read_disk(self, *, loading: bool = False) -> tuple[State | None, bytes | None, Source | None]:
        """What state.toml holds (None when it holds nothing memory does not have already),
        the digest of its content to remember once that is merged into memory, and which file
        it was (for the snapshot; None when there is none).

        A corrupt file is moved aside and counts as empty; a file with invalid items is
        copied aside before anything is written. Raises _SaveError when that cannot be done
        or the file cannot be read, so that it is never overwritten unseen.
        """
        try:
            with open_regular_file(self.path) as handle:
                data = handle.read()
                source = readids.source_of(data, os.fstat(handle.fileno()))
        except FileNotFoundError:
            return State(), None, None
        except OSError as error:
            raise _SaveError(f"{self.path} cannot be read ({reason(error)}); it is left alone and nothing is saved over it") from None
        digest = _digest(data)
        if digest == self._known:
            return None, digest, source
        try:
            state, problems = read_state_text(decode(data))
        except NewerVersionError as error:
            self._blocked = f"{self.path}: {error}; read marks and bookmarks are not saved, so as not to overwrite it"
            raise _SaveError(self._blocked) from None
        except ValueError as error:
            aside = self._set_aside(data, move=True)
            then = "starting empty" if loading else "writing the marks in memory to a new one"
            self._notices.append(f"{self.path.name} was corrupt ({error}); moved to {aside}; {then}")
            return State(), None, None
        if problems and digest not in self._preserved:
            aside = self._set_aside(data, move=False)
            self._preserved.add(digest)
            self._notices.append(f"{self.path.name}: {summary(problems)}; the original is kept in {aside}")
        return state, digest, source

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


# --- changes to the marks: made on a State, with the quick step's read ids (see StateStore._change)


def _set_read(state: State, quick: QuickIds, entry_ids: list[str], on: bool) -> int:
    at = now()
    changed = 0
    marks = state.read
    for entry_id in entry_ids:
        current = marks.get(entry_id)
        was = current.on if current is not None else quick is not None and entry_id in quick
        if was is on:
            continue
        marks[entry_id] = Mark(on, change_time(current, at))
        changed += 1
    return changed


def _set_bookmark(state: State, quick: QuickIds, entry_id: str, on: bool) -> int:
    current = state.bookmarks.get(entry_id)
    if current is None and not on or current is not None and current.on is on:
        return 0
    note = current.note if current is not None else ""
    state.bookmarks[entry_id] = Mark(on, change_time(current, now()), note)
    return 1


def _set_note(state: State, quick: QuickIds, entry_id: str, note: str) -> int:
    current = state.bookmarks.get(entry_id)
    if (current.note if current is not None and current.on else "") == note:
        return 0
    state.bookmarks[entry_id] = Mark(True, change_time(current, now()), note)
    return 1


def _merge(state: State, quick: QuickIds, other: State) -> int:
    merged = state.merge(other)
    changed = changed_marks(state, merged)
    state.read, state.bookmarks = merged.read, merged.bookmarks
    return changed


def _read_set(state: State) -> frozenset[str]:
    """The ids `state` marks read."""
    return frozenset([key for key, mark in state.read.items() if mark.on])


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
