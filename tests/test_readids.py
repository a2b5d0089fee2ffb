"""state.readids, the snapshot of the read ids that lets the reader show read rows before
state.toml is parsed: it comes back as it was written, it is never trusted when it is stale,
damaged or not a snapshot at all (the full load makes it again), a FIFO in its place does not
block, the quick step and the full load answer alike, and no save is made from the quick step."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest_tui.disk import readids, stateformat
from digest_tui.disk.marks import Mark, State
from digest_tui.disk.readids import SNAPSHOT_FILE, Source
from digest_tui.disk.stateformat import dump_state, parse_state
from digest_tui.disk.store import StateStore

SAFETY_NET = 60
"""Seconds: far longer than a subprocess here takes, so it fires only on a hang."""
T1 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ODD_IDS = ["한글", "naïve", "with space", 'quote"d', "back\\slash", "tab\there", "new\nline", "", "=", "[read]", "🙂", "a.b", "#hash"]


def ids(n: int, seed: int = 1) -> list[str]:
    """`n` entry ids as parse.entry_id makes them: 12 hex digits."""
    rng = random.Random(seed)
    return [f"{rng.getrandbits(48):012x}" for _ in range(n)]


def snapshot(directory: Path) -> Path:
    return directory / SNAPSHOT_FILE


def saved_store(directory: Path, read: Sequence[str], unread: Sequence[str] = (), bookmarked: Sequence[str] = ()) -> StateStore:
    """A store that marked `read` read, then `unread` unread again, bookmarked `bookmarked`, and saved."""
    store = StateStore(directory)
    store.load()
    store.set_read_many(read)
    store.set_read_many(unread, False)
    for entry_id in bookmarked:
        store.set_bookmark(entry_id)
    assert store.save() is None
    return store


def on_disk(directory: Path) -> State:
    return parse_state((directory / "state.toml").read_text(encoding="utf-8"))


def read_set(state: State) -> set[str]:
    return {key for key, mark in state.read.items() if mark.on}


def quick(directory: Path) -> StateStore | None:
    """A new store after its quick step, or None when the step found no fresh snapshot."""
    store = StateStore(directory)
    return store if store.load_read_ids() else None


def answers(store: StateStore, candidates: list[str]) -> tuple[dict[str, bool], set[str], int]:
    """What the store says is read: is_read of each candidate, and read_ids as a set and by length."""
    return {entry_id: store.is_read(entry_id) for entry_id in candidates}, set(store.read_ids), len(store.read_ids)


# --- round trip -------------------------------------------------------------------------


def test_a_save_writes_the_snapshot_and_a_new_store_reads_it_back(tmp_path: Path) -> None:
    read = ids(500)
    saved_store(tmp_path, read, unread=read[:50], bookmarked=read[:3])
    expected = set(read[50:])
    found = readids.read(snapshot(tmp_path))
    assert found is not None and found[1] == expected
    data = (tmp_path / "state.toml").read_bytes()
    assert found[0] == readids.source_of(data, os.stat(tmp_path / "state.toml"))

    store = quick(tmp_path)
    assert store is not None
    assert set(store.read_ids) == expected and len(store.read_ids) == len(expected)
    assert all(store.is_read(i) for i in read[50:]) and not any(store.is_read(i) for i in read[:50])
    assert read[60] in store.read_ids and read[0] not in store.read_ids and "never-seen" not in store.read_ids
    assert not store.is_bookmarked(read[0])  # bookmarks come with the full load …
    assert store.load() == []
    assert store.is_bookmarked(read[0]) and set(store.read_ids) == expected  # … and here they are


def test_odd_ids_come_back_as_they_were(tmp_path: Path) -> None:
    saved_store(tmp_path, ODD_IDS + ids(20))
    store = quick(tmp_path)
    assert store is not None and set(store.read_ids) == set(ODD_IDS + ids(20))
    assert all(store.is_read(i) for i in ODD_IDS)
    source = Source(1, 2, 3)
    for odd in (["\ud800 lone surrogate", "new\nline", ""], [""], [], ["\n"], ["\n", ""], ["a\nb", "a", "b"]):
        assert readids.decode(readids.encode(source, odd)) == (source, frozenset(odd)), odd


def test_the_snapshot_follows_every_save(tmp_path: Path) -> None:
    store = saved_store(tmp_path, ["a", "b"])
    store.set_read("a", False)
    store.set_read("c")
    assert store.save() is None
    assert readids.read(snapshot(tmp_path))[1] == {"b", "c"} == read_set(on_disk(tmp_path))
    assert quick(tmp_path) is not None


# --- stale, damaged, foreign -------------------------------------------------------------


def test_a_snapshot_of_an_older_state_file_is_ignored_and_remade(tmp_path: Path) -> None:
    saved_store(tmp_path, ["a", "b"])
    # Saved by something that does not know the snapshot: an editor, an older digest-tui.
    (tmp_path / "state.toml").write_text(dump_state(State({"a": Mark(True, T1), "z": Mark(True, T1)})), encoding="utf-8")
    assert quick(tmp_path) is None
    store = StateStore(tmp_path)
    assert store.load() == [] and set(store.read_ids) == {"a", "z"}
    again = quick(tmp_path)
    assert again is not None and set(again.read_ids) == {"a", "z"}


def test_another_process_that_saves_leaves_a_snapshot_of_what_it_saved(tmp_path: Path) -> None:
    saved_store(tmp_path, ["a"])
    code = (
        "import sys; from pathlib import Path; from digest_tui.disk.store import StateStore\n"
        "s = StateStore(Path(sys.argv[1])); s.load(); s.set_read('from-other'); s.set_read('a', False); assert s.save() is None"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=SAFETY_NET)
    store = quick(tmp_path)
    assert store is not None and set(store.read_ids) == {"from-other"}


def test_same_size_and_time_but_other_bytes_is_stale(tmp_path: Path) -> None:
    saved_store(tmp_path, ["aaaa", "bbbb"])
    path = tmp_path / "state.toml"
    info = path.stat()
    path.write_bytes(path.read_bytes().replace(b"bbbb", b"cccc"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    assert quick(tmp_path) is None  # the checksum of state.toml's bytes tells
    assert StateStore(tmp_path).load() == []
    assert readids.read(snapshot(tmp_path))[1] == {"aaaa", "cccc"}


def damaged(good: bytes) -> dict[str, bytes]:
    flipped = bytearray(good)
    flipped[-3] ^= 0x20  # in the ids: the checksum catches it
    header = bytearray(good)
    header[len(readids.MAGIC) + 28] ^= 1  # the plain section's length
    return {
        "empty": b"",
        "magic only": readids.MAGIC,
        "cut in the header": good[:30],
        "cut in the ids": good[:-5],
        "one byte more": good + b"\n",
        "a flipped bit": bytes(flipped),
        "a wrong length": bytes(header),
        "garbage": random.Random(3).randbytes(len(good)),
        "another format version": good.replace(readids.MAGIC, readids.MAGIC[:-1] + b"\x02", 1),
        "a TOML file": b"version = 1\n[read]\na = 2026-01-02 03:04:05+00:00\n",
    }


@pytest.mark.parametrize("kind", list(damaged(b"x" * 100)))
def test_a_damaged_snapshot_is_ignored_and_remade(tmp_path: Path, kind: str) -> None:
    read = ids(300)
    saved_store(tmp_path, read)
    snapshot(tmp_path).write_bytes(damaged(snapshot(tmp_path).read_bytes())[kind])
    assert quick(tmp_path) is None
    assert readids.read(snapshot(tmp_path)) is None
    store = StateStore(tmp_path)
    assert store.load() == [] and set(store.read_ids) == set(read)
    again = quick(tmp_path)
    assert again is not None and set(again.read_ids) == set(read)


def test_the_snapshot_of_another_state_file_is_ignored(tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    saved_store(mine, ["a"])
    saved_store(theirs, ["b"])
    shutil.copyfile(snapshot(theirs), snapshot(mine))
    assert quick(mine) is None
    assert StateStore(mine).load() == [] and readids.read(snapshot(mine))[1] == {"a"}


def test_a_directory_named_like_the_snapshot_changes_nothing_else(tmp_path: Path) -> None:
    snapshot(tmp_path).mkdir()
    store = saved_store(tmp_path, ["a"])
    assert quick(tmp_path) is None
    assert store.load() == [] and store.is_read("a") and on_disk(tmp_path).is_read("a")
    assert StateStore(tmp_path).load() == []


def test_no_state_file_no_quick_step(tmp_path: Path) -> None:
    assert quick(tmp_path) is None and quick(tmp_path / "missing") is None
    saved_store(tmp_path, ["a"])
    (tmp_path / "state.toml").unlink()
    assert quick(tmp_path) is None


def test_a_fifo_named_like_the_snapshot_does_not_block(tmp_path: Path) -> None:
    """In a subprocess, since a regression would block forever."""
    saved_store(tmp_path, ["a"])
    snapshot(tmp_path).unlink()
    os.mkfifo(snapshot(tmp_path))
    code = (
        "import sys; from pathlib import Path; from digest_tui.disk.store import StateStore\n"
        "s = StateStore(Path(sys.argv[1])); print(s.load_read_ids()); print(s.load()); print(s.is_read('a'))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=SAFETY_NET, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["False", "[]", "True"]
    assert snapshot(tmp_path).is_file()  # the full load put a snapshot in the FIFO's place
    assert quick(tmp_path) is not None


def save_b_in_a_process_that_dies(directory: Path, dying: str) -> None:
    """Load, mark b read and save, in a process of its own that the code `dying` sets up to
    kill itself (SIGKILL) on the way."""
    code = (
        "import os, signal, sys; from pathlib import Path\n"
        "from digest_tui.disk import readids\n"
        "from digest_tui.disk.store import StateStore\n"
        f"{dying}\n"
        "s = StateStore(Path(sys.argv[1])); s.load(); s.set_read('b'); s.save()"
    )
    result = subprocess.run([sys.executable, "-c", code, str(directory)], timeout=SAFETY_NET)
    assert result.returncode == -signal.SIGKILL


def test_a_crash_between_state_file_and_snapshot_leaves_a_stale_snapshot_that_is_ignored(tmp_path: Path) -> None:
    saved_store(tmp_path, ["a"])
    # Once state.toml is written, before the snapshot is.
    save_b_in_a_process_that_dies(tmp_path, "readids.write = lambda *args: os.kill(os.getpid(), signal.SIGKILL)")
    assert read_set(on_disk(tmp_path)) == {"a", "b"} and readids.read(snapshot(tmp_path))[1] == {"a"}
    assert quick(tmp_path) is None
    assert StateStore(tmp_path).load() == []
    store = quick(tmp_path)
    assert store is not None and set(store.read_ids) == {"a", "b"}


def test_a_crash_while_writing_the_snapshot_keeps_the_old_one_whole(tmp_path: Path) -> None:
    saved_store(tmp_path, ["a"])
    before = snapshot(tmp_path).read_bytes()
    # With the new snapshot written to its temporary file, before the rename.
    dying = (
        "replace = os.replace\n"
        "def dying(src, dst):\n"
        "    if str(dst).endswith('state.readids'): os.kill(os.getpid(), signal.SIGKILL)\n"
        "    replace(src, dst)\n"
        "os.replace = dying"
    )
    save_b_in_a_process_that_dies(tmp_path, dying)
    assert snapshot(tmp_path).read_bytes() == before
    [temp] = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert quick(tmp_path) is None  # stale: state.toml holds b too
    store = StateStore(tmp_path)
    store.load()
    old = datetime.now().timestamp() - 60
    os.utime(temp, (old, old))  # a writer that died a minute ago
    store.set_read("c")
    assert store.save() is None
    assert not temp.exists() and readids.read(snapshot(tmp_path))[1] == {"a", "b", "c"}


# --- the quick step and the full load agree ---------------------------------------------


def written_by_the_app(directory: Path) -> list[str]:
    """A state.toml as two instances and a sync conflict copy leave it; every id it mentions."""
    read = ids(2000, seed=7)
    first = saved_store(directory, read[:1500], unread=read[:100], bookmarked=read[:20])
    second = StateStore(directory)
    second.load()
    second.set_read_many(read[1500:])
    second.set_read_many(read[:10])  # read, unread, read again
    second.set_bookmark(read[0], False)  # a tombstone among the bookmarks
    assert second.save() is None
    second.set_read(read[200], False)  # unread by the instance that did not mark it
    assert second.save() is None
    first.set_read(read[1400], False)  # by an instance that has not seen the other's saves yet
    assert first.save() is None
    # A sync conflict copy from another machine: read there, unread here, and the reverse.
    there = State({read[1200]: Mark(False, datetime.now(UTC) + timedelta(hours=1)), "only-there": Mark(True, T1)}, {})
    (directory / "state.sync-conflict-20261125-101010-ABCDEFG.toml").write_text(dump_state(there), encoding="utf-8")
    return read + ["only-there", "never-seen"]


def test_the_quick_step_and_the_full_load_agree_on_a_state_the_app_wrote(tmp_path: Path) -> None:
    candidates = written_by_the_app(tmp_path)
    assert quick(tmp_path) is None  # a conflict copy waits: its marks come with the full load
    merging = StateStore(tmp_path)
    assert any("Merged sync conflict" in m for m in merging.load())
    store = quick(tmp_path)
    assert store is not None
    first = answers(store, candidates)
    assert store.load() == []
    assert answers(store, candidates) == first
    full = StateStore(tmp_path)
    full.load()
    assert answers(full, candidates) == first
    said = first[0]
    assert said["only-there"] and said[candidates[5]] and said[candidates[1600]] and not said["never-seen"]
    assert not any(said[candidates[n]] for n in (50, 200, 1200, 1400))
    assert first[1] == read_set(on_disk(tmp_path))


def test_a_snapshot_that_disagrees_is_remade_by_the_full_load_and_never_saved(tmp_path: Path) -> None:
    saved_store(tmp_path, ["a", "b"])
    source = readids.read(snapshot(tmp_path))[0]
    readids.write(snapshot(tmp_path), source, ["a", "lie"])  # fresh by its name, wrong by its ids
    store = quick(tmp_path)
    assert store is not None and store.is_read("lie") and not store.is_read("b")
    store.set_read("new")
    assert store.save() is None  # the full load first: the file's marks, not the snapshot's
    assert read_set(on_disk(tmp_path)) == {"a", "b", "new"}
    assert not store.is_read("lie") and store.is_read("b")
    assert readids.read(snapshot(tmp_path))[1] == {"a", "b", "new"}


# --- no save from the quick step --------------------------------------------------------


def test_a_save_before_the_full_load_loads_first_and_loses_nothing(tmp_path: Path) -> None:
    read = ids(1000)
    saved_store(tmp_path, read, bookmarked=read[:5])
    store = StateStore(tmp_path)
    store.set_note(read[0], "kept")
    assert store.save() is None
    file_before = on_disk(tmp_path)

    store = quick(tmp_path)
    assert store is not None
    assert store.set_read(read[1], False) and not store.set_read(read[2])  # read already, by the snapshot
    assert store.set_read("new") and store.dirty
    assert len(store.read_ids) == len(read)
    assert store.save() is None
    after = on_disk(tmp_path)
    assert read_set(after) == set(read[2:]) | {read[0], "new"}
    assert all(after.read[i] == file_before.read[i] for i in read if i != read[1])  # times as they were
    assert after.note(read[0]) == "kept" and all(after.is_bookmarked(i) for i in read[:5])
    assert store.is_bookmarked(read[3]) and store.note(read[0]) == "kept"  # loaded whole by the save


def test_changes_in_the_quick_step_are_made_again_on_the_files_marks(tmp_path: Path) -> None:
    ahead = datetime.now(UTC) + timedelta(days=1)  # marks from a clock that runs ahead
    state = State(
        {"ahead": Mark(True, ahead), "plain": Mark(True, T1), "gone": Mark(False, ahead)},
        {"noted": Mark(True, T1, "my note"), "was-noted": Mark(True, T1, "first")},
    )
    (tmp_path / "state.toml").write_text(dump_state(state), encoding="utf-8")
    assert StateStore(tmp_path).load() == []
    store = quick(tmp_path)
    assert store is not None and store.is_read("ahead") and not store.is_read("gone")
    store.set_read("ahead", False)  # beats the mark it replaces, though that is from tomorrow
    store.set_read("gone")
    store.set_bookmark("noted")  # not known yet to be bookmarked: the note must stay
    store.set_note("was-noted", "second")
    store.set_bookmark("new")
    assert store.load() == []
    assert not store.is_read("ahead") and store.is_read("gone") and store.is_read("plain")
    assert store.note("noted") == "my note" and store.note("was-noted") == "second" and store.is_bookmarked("new")
    assert store.save() is None
    disk = on_disk(tmp_path)
    assert not disk.is_read("ahead") and disk.is_read("gone") and disk.note("noted") == "my note" and disk.note("was-noted") == "second"


def test_the_quick_step_only_comes_first(tmp_path: Path) -> None:
    saved_store(tmp_path, ["a"])
    store = StateStore(tmp_path)
    store.load()
    assert not store.load_read_ids()  # after the full load: nothing to add
    fresh = StateStore(tmp_path)
    fresh.set_read("b")
    assert not fresh.load_read_ids()  # marks in memory already
    twice = quick(tmp_path)
    assert twice is not None and not twice.load_read_ids()


# --- read marks read in slices ----------------------------------------------------------


@pytest.mark.parametrize("change", ["none", "a key twice", "an impossible date late", "a comment late", "out of range late"])
def test_a_long_read_table_read_in_slices_gives_what_tomllib_gives(change: str) -> None:
    state = State({key: Mark(True, T1 + timedelta(seconds=n)) for n, key in enumerate(ids(20_000))})
    text = dump_state(state)
    assert len(text) > 4 * stateformat._CHUNK  # several slices
    late = text.rindex("\n", 0, len(text) - 1000) + 1
    first = text.index("[read]\n") + len("[read]\n")
    first_line = text[first : text.index("\n", first) + 1]
    text = {
        "none": text,
        "a key twice": text[:late] + first_line + text[late:],
        "an impossible date late": text[:late] + "x = 2026-02-30 00:00:00+00:00\n" + text[late:],
        "a comment late": text[:late] + "# late\n" + text[late:],
        "out of range late": text[:late] + "x = 9999-12-31 23:59:59+00:00\n" + text[late:],
    }[change]

    def outcome(quick: bool) -> object:
        try:
            return stateformat.read_state_text(text, quick=quick)
        except ValueError as error:
            return str(error)

    assert outcome(True) == outcome(False)
    if change == "none":
        assert outcome(True) == (state, [])



def test_a_full_load_that_cannot_read_the_file_still_ends_the_quick_step(tmp_path: Path) -> None:
    saved_store(tmp_path, ["a", "b"])
    store = quick(tmp_path)
    assert store is not None and not store.loaded and store.is_read("a")
    store.set_read("b", False)
    (tmp_path / "state.toml").write_text("version = 2\n[marks]\nx = 1\n", encoding="utf-8")  # a newer digest-tui's
    [message] = store.load()
    assert "newer digest-tui" in message and store.loaded
    assert not store.is_read("a") and not store.is_read("b") and len(store.read_ids) == 0
    assert "not saved" in store.save()


# --- the reading session between the two steps -------------------------------------------


def test_counts_filters_and_marks_of_a_session_agree_before_and_after_the_full_load(tmp_path: Path, library) -> None:
    from digest_tui.config import Settings
    from digest_tui.digest.filters import Filter
    from digest_tui.session import ReadingSession

    entries = library.entries
    saved_store(tmp_path, [e.id for e in entries[:10]], unread=[entries[3].id], bookmarked=[entries[0].id])
    store = quick(tmp_path)
    assert store is not None
    reading = ReadingSession(Settings(watch_authors=["Kingma"]), store)
    reading.install(*reading.indexed(library))

    def seen() -> tuple[object, ...]:
        unread = reading.select(Filter(unread_only=True))
        return reading.unread_count, dict(reading.unread_by_date), unread, reading.watched_unread_count, reading.next_unread(range(len(entries)), 0, 1)

    before = seen()
    assert before[0] == len(entries) - 9 and before[2] == [3, *range(10, len(entries))]
    assert reading.set_read(entries[5], True) == ()  # read already, by the snapshot
    assert reading.set_read(entries[4], False) and reading.set_read(entries[20], True)
    reading.mark_all_read(entries[:12])
    changed = seen()
    assert store.load() == []
    reading.recount()
    assert seen() == changed and reading.bookmarked_count == 1
