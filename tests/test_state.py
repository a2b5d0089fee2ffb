"""Read marks and bookmarks: the merge, the file format, and StateStore on real files."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import subprocess
import sys
import threading
import time
import tomllib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from digest_tui.disk.marks import Mark, State
from digest_tui.disk.stateformat import dump_state, load_state, parse_state, read_state_text
from digest_tui.disk.store import StateStore
from tests.fshelpers import read_only

T1 = datetime(2026, 11, 24, 10, 0, 0, tzinfo=UTC)
T2 = T1 + timedelta(hours=1)
T3 = T1 + timedelta(hours=2)
T4 = T1 + timedelta(hours=3)

# --- strategies -------------------------------------------------------------------------

AWKWARD_IDS = [
    "0123456789ab", "a", "b-c_d", "1234", "with space", 'quo"te', "back\\slash", "tab\there", "new\nline", "\x7f\x00", "ключ", "", "🙂", "x.y", "[read]"
]
ids = st.one_of(st.sampled_from(AWKWARD_IDS), st.text(max_size=12))
FEW_TIMES = [T1, T2, T2 + timedelta(microseconds=1)]  # ties are likely with these
times = st.one_of(
    st.sampled_from(FEW_TIMES),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)),  # from 9999 on: out of range
    # other offsets: Mark keeps every time in UTC
    st.datetimes(
        min_value=datetime(2, 1, 1),
        max_value=datetime(9998, 12, 31),
        timezones=st.builds(
            timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)).map(lambda d: timedelta(minutes=d // timedelta(minutes=1)))
        ),
    ),
)
notes = st.one_of(st.just(""), st.sampled_from(["a note", 'say "hi"\n', "\\", "메모"]), st.text(max_size=20))
read_marks = st.builds(Mark, on=st.booleans(), at=times)
bookmarks = st.builds(Mark, on=st.booleans(), at=times, note=notes)
states = st.builds(State, read=st.dictionaries(ids, read_marks, max_size=8), bookmarks=st.dictionaries(ids, bookmarks, max_size=8))


# --- the merge --------------------------------------------------------------------------


@given(states, states)
def test_merge_is_commutative(a: State, b: State) -> None:
    assert a.merge(b) == b.merge(a)


@given(states, states, states)
def test_merge_is_associative(a: State, b: State, c: State) -> None:
    assert a.merge(b).merge(c) == a.merge(b.merge(c))


@given(states)
def test_merge_is_idempotent(a: State) -> None:
    assert a.merge(a) == a
    assert a.merge(State()) == a == State().merge(a)


@given(states, states)
def test_merge_keeps_the_later_change_of_every_entry(a: State, b: State) -> None:
    before_a, before_b = a.copy(), b.copy()
    merged = a.merge(b)
    assert (a, b) == (before_a, before_b)  # neither side is changed
    for kind in ("read", "bookmarks"):
        left, right, result = getattr(a, kind), getattr(b, kind), getattr(merged, kind)
        assert set(result) == set(left) | set(right)  # nothing lost, nothing invented
        for key, mark in result.items():
            if key not in right:
                assert mark == left[key]
            elif key not in left:
                assert mark == right[key]
            elif left[key].at > right[key].at:
                assert mark == left[key]
            elif right[key].at > left[key].at:
                assert mark == right[key]
            else:  # a tie: decided by the marks alone, whichever side they are on
                assert mark in (left[key], right[key])
                assert mark == max(left[key], right[key], key=lambda m: (m.on, m.note))


def test_a_later_removal_wins_and_an_older_one_loses() -> None:
    kept = State(bookmarks={"x": Mark(True, T1, "n")})
    removed = State(bookmarks={"x": Mark(False, T2, "n")})
    assert not kept.merge(removed).is_bookmarked("x")
    assert not removed.merge(kept).is_bookmarked("x")
    again = State(bookmarks={"x": Mark(True, T3)})
    assert removed.merge(again).is_bookmarked("x")


def test_marks_are_kept_in_utc_and_must_know_their_zone() -> None:
    seoul = timezone(timedelta(hours=9))
    mark = Mark(True, datetime(2026, 11, 25, 6, 13, 43, tzinfo=seoul))
    assert mark.at == datetime(2026, 11, 24, 21, 13, 43, tzinfo=UTC) and mark.at.tzinfo is UTC
    with pytest.raises(ValueError):
        Mark(True, datetime(2026, 11, 24))


@pytest.mark.parametrize(
    "at",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),  # before the first UTC time
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-1))),  # after the last
        datetime(9999, 1, 1, tzinfo=UTC),  # no room left for the later changes that must beat it
    ],
)
def test_a_mark_out_of_range_is_a_value_error(at: datetime) -> None:
    with pytest.raises(ValueError, match="out of range"):
        Mark(True, at)
    assert Mark(True, datetime(1, 1, 1, tzinfo=UTC)).at.year == 1
    assert Mark(True, datetime(9998, 12, 31, 23, 59, 59, tzinfo=UTC)).at.year == 9998


# --- the file format --------------------------------------------------------------------


@given(states)
def test_dump_and_parse_round_trip(state: State) -> None:
    text = dump_state(state)
    assert parse_state(text) == state
    assert dump_state(parse_state(text)) == text


@given(states)
@settings(max_examples=200)
def test_the_writer_says_what_tomli_w_would(state: State) -> None:
    """The file is the tables below as tomli-w writes them (under a comment): tomllib reads
    both back the same."""
    tables = {
        "version": 1,
        "read": {k: m.at for k, m in state.read.items() if m.on},
        "unread": {k: m.at for k, m in state.read.items() if not m.on},
        "bookmarks": {k: {"at": m.at, "note": m.note} if m.note else {"at": m.at} for k, m in state.bookmarks.items() if m.on},
        "unbookmarked": {k: {"at": m.at, "note": m.note} if m.note else {"at": m.at} for k, m in state.bookmarks.items() if not m.on},
    }
    assert tomllib.loads(dump_state(state)) == tomllib.loads(tomli_w.dumps(tables))


READABLE = State(
    read={"zz": Mark(True, T1), "aa": Mark(True, T2.replace(microsecond=500)), "mm": Mark(False, T3)},
    bookmarks={"b 2": Mark(True, T2, 'see "fig. 3"'), "b1": Mark(True, T1), "gone": Mark(False, T4, "kept")},
)
# READABLE as digest-tui wrote it before tomli-w did (a hand-made writer): still read the same.
EARLIER_LAYOUT = [
    "version = 1",
    "",
    "[read]",
    "aa = 2026-11-24T11:00:00.000500Z",
    "zz = 2026-11-24T10:00:00Z",
    "",
    "[unread]",
    "mm = 2026-11-24T12:00:00Z",
    "",
    "[bookmarks]",
    '"b 2" = { at = 2026-11-24T11:00:00Z, note = "see \\"fig. 3\\"" }',
    "b1 = { at = 2026-11-24T10:00:00Z }",
    "",
    "[unbookmarked]",
    'gone = { at = 2026-11-24T13:00:00Z, note = "kept" }',
]


def test_the_file_is_readable_sorted_and_versioned() -> None:
    assert dump_state(READABLE).splitlines()[1:] == [
        "version = 1",
        "",
        "[read]",
        "aa = 2026-11-24 11:00:00.000500+00:00",
        "zz = 2026-11-24 10:00:00+00:00",
        "",
        "[unread]",
        "mm = 2026-11-24 12:00:00+00:00",
        "",
        '[bookmarks."b 2"]',
        "at = 2026-11-24 11:00:00+00:00",
        'note = "see \\"fig. 3\\""',
        "",
        "[bookmarks.b1]",
        "at = 2026-11-24 10:00:00+00:00",
        "",
        "[unbookmarked.gone]",
        "at = 2026-11-24 13:00:00+00:00",
        'note = "kept"',
    ]
    assert dump_state(READABLE).startswith("#")


@pytest.mark.parametrize("quick", [True, False], ids=["quick", "tomllib-only"])
def test_a_file_an_earlier_version_wrote_reads_the_same(quick: bool) -> None:
    text = "# digest-tui read marks and bookmarks\n" + "\n".join(EARLIER_LAYOUT) + "\n"
    assert read_state_text(text, quick=quick) == (READABLE, [])


def test_parse_accepts_what_a_person_might_write() -> None:
    state = parse_state(
        "version = 1\n"
        "[read]\n'lit' = 2026-11-24T21:13:43+09:00\nlocal = 2026-11-24T21:13:43\n"
        "[unread]\nlit = 2026-11-24T12:13:44Z\n"  # later than the read mark: unread wins
        "[bookmarks]\nplain = 2026-11-24T21:13:43Z\n"
    )
    assert state.read["lit"] == Mark(False, datetime(2026, 11, 24, 12, 13, 44, tzinfo=UTC))
    assert state.is_read("local") and state.is_bookmarked("plain")
    assert parse_state("") == State() == parse_state("\ufeff\n\n")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("read = [", "not valid TOML"),
        ("version = 'one'", "version"),
        ("version = 0", "version"),
        ("read = 5", "read must be a table"),
        ("[read]\nx = 5", "[read] x: expected a time"),
        ("[read]\nx = 2026-11-24", "expected a time"),
        ("[bookmarks]\nx = { at = 'yesterday' }", "expected a time"),
        ("[bookmarks]\nx = { at = 2026-11-24T21:13:43Z, note = 3 }", "the note must be a string"),
        ("[bookmarks]\nx = { at = 2026-11-24T21:13:43Z, colour = 'red' }", "unknown key 'colour'"),
        ("[read]\nx = { at = 2026-11-24T21:13:43Z }", "expected a time"),
        ("surprise = 1", "unknown key 'surprise'"),
        ("version = 2", "newer digest-tui"),
    ],
)
def test_parse_says_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=re.escape(complaint)):
        parse_state(text)


# --- helpers for the store --------------------------------------------------------------


def write_state(directory: Path, state: State, name: str = "state.toml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(dump_state(state), encoding="utf-8")
    return path


def on_disk(directory: Path) -> State:
    return parse_state((directory / "state.toml").read_text(encoding="utf-8"))


def temp_files(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if name.endswith(".tmp")]


# --- the store: basics ------------------------------------------------------------------


def test_a_new_store_starts_empty_and_saves_what_is_set(tmp_path: Path) -> None:
    config = tmp_path / "config"
    store = StateStore(config)
    assert store.load() == [] and not store.dirty
    assert store.save() is None and not config.exists()  # nothing to save: no directory made
    assert store.set_read("r1") and not store.set_read("r1")
    store.set_read_many(["r2", "r3", "r1"])
    store.set_bookmark("b1")
    store.set_note("b1", 'line one\nline "two"')
    store.set_note("b2", "bookmarks b2 too")
    assert store.dirty
    assert store.save() is None and not store.dirty
    again = StateStore(config)
    assert again.load() == []
    assert [again.is_read(i) for i in ("r1", "r2", "r3", "b1")] == [True, True, True, False]
    assert again.is_bookmarked("b1") and again.note("b1") == 'line one\nline "two"'
    assert again.is_bookmarked("b2") and again.note("b2") == "bookmarks b2 too"
    assert temp_files(config) == []


def test_live_views_for_filters(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    read, marked = store.read_ids, store.bookmarked_ids
    store.set_read_many(["a", "b", "c"])
    store.set_read("b", False)
    store.set_bookmark("a")
    assert "a" in read and "b" not in read and "zz" not in read and len(read) == 2
    assert sorted(read) == ["a", "c"] and list(marked) == ["a"] and len(marked) == 1
    other = StateStore(tmp_path)
    other.set_bookmark("from-other")
    assert other.save() is None
    assert store.save() is None  # the other instance's bookmark arrives in the same views
    assert "from-other" in marked and len(marked) == 2


def test_an_unbookmarked_entry_keeps_its_note_for_later(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.set_bookmark("x")
    store.set_note("x", "why")
    store.set_bookmark("x", False)
    assert not store.is_bookmarked("x") and store.note("x") == ""
    assert store.save() is None
    assert on_disk(tmp_path).bookmarks["x"].note == "why"
    store.set_bookmark("x")
    assert store.note("x") == "why"
    assert not store.set_note("never-bookmarked", "")


def test_a_change_beats_the_mark_it_replaces_even_within_one_second(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    for on in (True, False, True, False):
        store.set_bookmark("x", on)
        assert store.save() is None
    other = StateStore(tmp_path)
    other.load()
    assert not other.is_bookmarked("x")
    # a mark from a clock that runs ahead is still beaten by the next change here
    write_state(tmp_path, State(read={"y": Mark(True, datetime.now(UTC) + timedelta(days=1))}))
    other.load()
    other.set_read("y", False)
    assert other.save() is None and not on_disk(tmp_path).is_read("y")


def test_a_symlinked_state_file_stays_a_link_to_the_file_it_names(tmp_path: Path) -> None:
    dotfiles, config = tmp_path / "dotfiles", tmp_path / "config"
    write_state(dotfiles, State(read={"theirs": Mark(True, T1)}))
    config.mkdir()
    (config / "state.toml").symlink_to(Path("..") / "dotfiles" / "state.toml")
    store = StateStore(config)
    assert store.load() == []
    store.set_bookmark("mine")
    assert store.save() is None
    assert (config / "state.toml").is_symlink()
    assert on_disk(dotfiles).is_read("theirs") and on_disk(dotfiles).is_bookmarked("mine")
    assert temp_files(config) == temp_files(dotfiles) == []


def test_state_of_entries_no_longer_in_any_source_is_kept(tmp_path: Path) -> None:
    write_state(tmp_path, State(read={"gone-paper": Mark(True, T1)}, bookmarks={"old": Mark(False, T1)}))
    store = StateStore(tmp_path)
    store.load()
    store.set_read("new")
    assert store.save() is None
    assert on_disk(tmp_path).read.keys() == {"gone-paper", "new"}
    assert on_disk(tmp_path).bookmarks == {"old": Mark(False, T1)}


def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = write_state(tmp_path, State())
    path.chmod(0o640)
    store = StateStore(tmp_path)
    store.load()
    store.set_read("x")
    assert store.save() is None
    assert (path.stat().st_mode & 0o777) == 0o640


# --- two instances ----------------------------------------------------------------------


def test_two_instances_lose_nothing_and_see_each_others_marks(tmp_path: Path) -> None:
    a, b = StateStore(tmp_path), StateStore(tmp_path)
    a.load(), b.load()
    a.set_bookmark("a1")
    b.set_bookmark("b1")
    b.set_read("shared")
    assert a.save() is None and b.save() is None
    assert b.is_bookmarked("a1")  # after save, memory is the merged state
    assert a.save() is None and a.is_bookmarked("b1") and a.is_read("shared")
    b.set_bookmark("a1", False)  # an unbookmark in one instance …
    assert b.save() is None
    assert a.save() is None  # … is not resurrected by the other, which still had it
    assert not a.is_bookmarked("a1") and not on_disk(tmp_path).is_bookmarked("a1")
    assert on_disk(tmp_path).bookmarks.keys() == {"a1", "b1"}


def test_marks_set_while_another_thread_saves_all_arrive(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    stop = threading.Event()
    errors: list[str] = []

    def saver() -> None:
        while not stop.is_set():
            message = store.save()
            if message:
                errors.append(message)

    thread = threading.Thread(target=saver)
    thread.start()
    try:
        for i in range(500):
            store.set_read(f"r{i}")
            if i % 7 == 0:
                store.set_bookmark(f"b{i}")
                store.set_note(f"b{i}", f"note {i}")
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert store.save() is None and not store.dirty
    disk = on_disk(tmp_path)
    assert all(disk.is_read(f"r{i}") for i in range(500))
    assert all(disk.note(f"b{i}") == f"note {i}" for i in range(0, 500, 7))


def test_save_waits_for_the_lock_and_saves_anyway_when_it_is_never_released(tmp_path: Path) -> None:
    store = StateStore(tmp_path, lock_timeout=0.3)
    store.set_read("x")
    fd = os.open(tmp_path / "state.toml.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        release = threading.Timer(0.1, fcntl.flock, (fd, fcntl.LOCK_UN))
        release.start()
        started = time.monotonic()
        assert store.save() is None
        assert 0.09 <= time.monotonic() - started < 0.3  # waited for the holder, then saved
        release.join()
        fcntl.flock(fd, fcntl.LOCK_EX)  # a holder that never lets go
        store.set_read("y")
        started = time.monotonic()
        assert store.save() is None
        assert time.monotonic() - started >= 0.3
    finally:
        os.close(fd)
    assert on_disk(tmp_path).read.keys() == {"x", "y"}


def test_a_save_that_could_not_have_the_lock_says_so_once(tmp_path: Path) -> None:
    store = StateStore(tmp_path, lock_timeout=0)  # no waiting: the holder below never lets go
    store.set_read("x")
    assert store.save() is None and store.take_notices() == []
    fd = os.open(tmp_path / "state.toml.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        store.set_read("y")
        assert store.save() is None  # saved all the same …
        [notice] = store.take_notices()  # … and said so
        assert "without the lock" in notice and "state.toml.lock" in notice
        store.set_read("z")
        assert store.save() is None and store.take_notices() == []  # once, not at every save
    finally:
        os.close(fd)
    store.set_read("w")
    assert store.save() is None and store.take_notices() == []
    assert on_disk(tmp_path).read.keys() == {"x", "y", "z", "w"}


def test_a_lock_file_that_cannot_be_opened_never_stops_a_save(tmp_path: Path) -> None:
    (tmp_path / "state.toml.lock").mkdir()  # what no lock can be taken on
    store = StateStore(tmp_path)
    assert store.load() == []
    store.set_bookmark("b")
    assert store.save() is None and on_disk(tmp_path).is_bookmarked("b")
    [notice] = store.take_notices()
    assert "without the lock" in notice and "could not be locked" in notice


def test_temporary_files_left_by_a_killed_writer_are_cleared(tmp_path: Path) -> None:
    write_state(tmp_path, State())
    stale, fresh = tmp_path / ".state.toml.k1ll3d.tmp", tmp_path / ".state.toml.w0rk1n.tmp"
    stale.write_text("half a fi")
    fresh.write_text("in progress")
    os.utime(stale, (time.time() - 60, time.time() - 60))
    store = StateStore(tmp_path)
    store.load()
    store.set_read("x")
    assert store.save() is None
    assert not stale.exists() and fresh.exists()


# --- corrupt files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"read = [\n",  # invalid TOML
        b"\x00\x01\xffPNG\x89 binary\x00",  # binary
        b"[read]\nx = 2026-11-24T21:13:43Z\n\x00",  # a NUL in text
        b"read = 5\n",  # a table of the wrong type
        b"version = '1'\n",
    ],
    ids=["invalid-toml", "binary", "nul", "wrong-table-type", "wrong-version-type"],
)
def test_a_corrupt_file_is_moved_aside_and_the_store_starts_empty(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "state.toml").write_bytes(content)
    store = StateStore(tmp_path)
    messages = store.load()
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("state.toml.corrupt-")]
    assert len(messages) == 1 and "corrupt" in messages[0] and str(aside) in messages[0] and "starting empty" in messages[0]
    assert aside.read_bytes() == content
    assert not (tmp_path / "state.toml").exists() and len(store.read_ids) == 0
    store.set_bookmark("b")
    assert store.save() is None
    assert on_disk(tmp_path).is_bookmarked("b") and aside.read_bytes() == content


def test_corrupt_files_are_never_overwritten(tmp_path: Path) -> None:
    contents = [b"first = [", b"second = [", b"third = ["]
    for content in contents:
        (tmp_path / "state.toml").write_bytes(content)
        StateStore(tmp_path).load()
    kept = sorted(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("state.toml.corrupt-"))
    assert kept == sorted(contents)


def test_a_file_corrupted_while_running_is_moved_aside_at_the_next_save(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.set_read("kept-in-memory")
    assert store.save() is None
    (tmp_path / "state.toml").write_bytes(b"\xff\xfe garbage")
    store.set_read("new")
    assert store.save() is None
    notices = store.take_notices()
    assert len(notices) == 1 and "corrupt" in notices[0]
    assert on_disk(tmp_path).read.keys() == {"kept-in-memory", "new"}
    assert [p.read_bytes() for p in tmp_path.glob("state.toml.corrupt-*")] == [b"\xff\xfe garbage"]


@pytest.mark.parametrize("content", [b"", b"\n  \n", b"# only a comment\n"])
def test_an_empty_file_is_fine(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "state.toml").write_bytes(content)
    store = StateStore(tmp_path)
    assert store.load() == [] and len(store.read_ids) == 0
    assert sorted(os.listdir(tmp_path)) == ["state.readids", "state.toml", "state.toml.lock"]


def test_wrong_typed_items_are_dropped_and_the_original_is_kept_first(tmp_path: Path) -> None:
    content = (
        b"version = 1\n[read]\ngood = 2026-11-24T21:13:43Z\nbad = 5\n"
        b"[bookmarks]\nfine = { at = 2026-11-24T21:13:43Z, note = 'n' }\nbroken = { at = 'yesterday' }\n"
    )
    (tmp_path / "state.toml").write_bytes(content)
    store = StateStore(tmp_path)
    messages = store.load()
    [copy] = tmp_path.glob("state.toml.corrupt-*")
    assert copy.read_bytes() == content and (tmp_path / "state.toml").read_bytes() == content
    assert len(messages) == 1 and "2 invalid items dropped" in messages[0] and str(copy) in messages[0]
    assert store.is_read("good") and store.note("fine") == "n" and "bad" not in store.read_ids
    store.set_read("more")
    assert store.save() is None and store.take_notices() == []
    assert on_disk(tmp_path).read.keys() == {"good", "more"}  # strict parse: clean now
    assert list(tmp_path.glob("state.toml.corrupt-*")) == [copy] and copy.read_bytes() == content


def test_a_file_from_a_newer_version_is_left_alone(tmp_path: Path) -> None:
    content = b"version = 2\n[marks]\nx = 'something new'\n"
    (tmp_path / "state.toml").write_bytes(content)
    store = StateStore(tmp_path)
    [message] = store.load()
    assert "newer digest-tui" in message
    store.set_read("x")
    assert "not saved" in store.save()
    assert store.dirty and (tmp_path / "state.toml").read_bytes() == content
    assert not list(tmp_path.glob("state.toml.corrupt-*"))


def test_a_state_file_that_cannot_be_read_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "state.toml").mkdir()  # reading it fails, as for a file without permission
    (tmp_path / "state.toml" / "inside").write_text("x")
    store = StateStore(tmp_path)
    [message] = store.load()
    assert "cannot be read" in message
    store.set_read("x")
    assert "cannot be read" in store.save()
    assert store.dirty and (tmp_path / "state.toml" / "inside").read_text() == "x"


def test_load_state_never_raises_and_moves_nothing(tmp_path: Path) -> None:
    assert load_state(tmp_path / "missing" / "state.toml") == (State(), [])
    (tmp_path / "state.toml").write_bytes(b"read = [")
    state, [warning] = load_state(tmp_path / "state.toml")
    assert state == State() and "not valid TOML" in warning
    assert (tmp_path / "state.toml").read_bytes() == b"read = ["


# --- writes that fail -------------------------------------------------------------------


def test_a_read_only_directory_is_reported_once_and_saved_later(tmp_path: Path) -> None:
    config = tmp_path / "config"
    store = StateStore(config)
    store.set_read("before")
    assert store.save() is None
    store.set_bookmark("during")
    with read_only(config):
        message = store.save()
        assert message is not None and str(config / "state.toml") in message and "kept in memory" in message
        assert store.dirty and store.last_error == message
        store.set_read("still-during")
        assert store.save() is None and store.dirty  # the same failure is not told twice
        assert on_disk(config).read.keys() == {"before"}
        assert store.is_bookmarked("during")
    assert store.save() is None and not store.dirty and store.last_error is None
    disk = on_disk(config)
    assert disk.read.keys() == {"before", "still-during"} and disk.is_bookmarked("during")
    with read_only(config):
        store.set_read("again")
        assert store.save() is not None  # a new failure streak is told again
    assert store.save() is None


def test_a_config_directory_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where the directory's parent should be")
    store = StateStore(tmp_path / "blocker" / "config")
    assert store.load() == []
    store.set_read("x")
    message = store.save()
    assert message is not None and "Could not save" in message and store.dirty
    (tmp_path / "blocker").unlink()
    assert store.save() is None and on_disk(tmp_path / "blocker" / "config").is_read("x")


def test_a_full_disk_is_reported_once_and_saved_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = StateStore(tmp_path)
    store.set_read("before")
    assert store.save() is None
    original = (tmp_path / "state.toml").read_bytes()
    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    store.set_read("during")
    message = store.save()
    assert message is not None and "No space left on device" in message
    store.set_bookmark("also-during")
    assert store.save() is None and store.dirty
    assert (tmp_path / "state.toml").read_bytes() == original and temp_files(tmp_path) == []
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert store.save() is None and not store.dirty
    disk = on_disk(tmp_path)
    assert disk.read.keys() == {"before", "during"} and disk.is_bookmarked("also-during")


# --- sync conflict copies ---------------------------------------------------------------

SYNCTHING = "state.sync-conflict-20261124-101010-ABCDEFG.toml"
DROPBOX = "state (conflicted copy).toml"
DATED = "state (conflicted copy 2026-11-24).toml"
BROKEN = "state (Jane's conflicted copy 2026-11-24).toml"


def test_conflict_copies_are_merged_and_moved_to_merged(tmp_path: Path) -> None:
    write_state(tmp_path, State(read={"r1": Mark(True, T1)}, bookmarks={"x": Mark(False, T3, "old note")}))
    write_state(tmp_path, State(read={"r2": Mark(True, T2)}, bookmarks={"x": Mark(True, T2, "old note"), "y": Mark(True, T2)}), SYNCTHING)
    write_state(tmp_path, State(read={"r1": Mark(False, T4)}, bookmarks={"z": Mark(False, T4)}), DROPBOX)
    write_state(tmp_path, State(bookmarks={"z": Mark(True, T3, "z note")}), DATED)
    (tmp_path / BROKEN).write_text("[read\n")
    (tmp_path / "state.toml.bak").write_text("not a conflict copy")
    (tmp_path / "merged").mkdir()
    (tmp_path / "merged" / DROPBOX).write_text("merged before")
    dropbox_content = (tmp_path / DROPBOX).read_bytes()

    store = StateStore(tmp_path)
    messages = store.load()
    assert any("Merged sync conflict copies" in m and SYNCTHING in m and DROPBOX in m and DATED in m for m in messages)
    assert any(BROKEN in m and "left where it is" in m for m in messages)
    for state in (store.state, on_disk(tmp_path)):
        assert not state.is_bookmarked("x")  # the newer unbookmark is not resurrected
        assert state.is_bookmarked("y") and not state.is_bookmarked("z")
        assert not state.is_read("r1") and state.is_read("r2")
    merged = sorted(os.listdir(tmp_path / "merged"))
    assert merged == sorted([SYNCTHING, DROPBOX, "state (conflicted copy)-1.toml", DATED])
    assert (tmp_path / "merged" / DROPBOX).read_text() == "merged before"  # never overwritten
    assert (tmp_path / "merged" / "state (conflicted copy)-1.toml").read_bytes() == dropbox_content
    assert sorted(os.listdir(tmp_path)) == sorted([BROKEN, "merged", "state.readids", "state.toml", "state.toml.bak", "state.toml.lock"])
    store.set_read("later")
    assert store.save() is None
    assert store.take_notices() == []  # the unreadable copy is not complained about on every save


def test_a_conflict_copy_that_appears_while_running_is_merged_at_the_next_save(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.set_bookmark("mine")
    assert store.save() is None
    write_state(tmp_path, State(bookmarks={"theirs": Mark(True, T1), "mine": Mark(False, T1)}), SYNCTHING)
    assert store.save() is None
    assert store.is_bookmarked("theirs") and store.is_bookmarked("mine")
    assert on_disk(tmp_path).bookmarks.keys() == {"mine", "theirs"}
    assert os.listdir(tmp_path / "merged") == [SYNCTHING]
    assert any("Merged sync conflict copy" in n for n in store.take_notices())


def test_load_state_merges_conflict_copies_without_moving_them(tmp_path: Path) -> None:
    write_state(tmp_path, State(bookmarks={"x": Mark(True, T1)}))
    write_state(tmp_path, State(bookmarks={"y": Mark(True, T1)}), DROPBOX)
    (tmp_path / BROKEN).write_text("[read\n")
    state, [warning] = load_state(tmp_path / "state.toml")
    assert state.is_bookmarked("x") and state.is_bookmarked("y") and BROKEN in warning
    assert (tmp_path / DROPBOX).exists() and not (tmp_path / "merged").exists()


# --- digest-tui state merge -------------------------------------------------------------


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DIGEST_TUI_CONFIG_DIR=str(tmp_path / "env-config"), HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    command = [sys.executable, "-m", "digest_tui", *args]
    return subprocess.run(command, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_state_merge_merges_named_files(tmp_path: Path) -> None:
    config = tmp_path / "config"
    write_state(config, State(read={"a": Mark(True, T1)}, bookmarks={"x": Mark(False, T3)}))
    one = write_state(tmp_path / "elsewhere", State(read={"b": Mark(True, T2)}, bookmarks={"x": Mark(True, T2)}), "laptop.toml")
    two = write_state(tmp_path / "elsewhere", State(bookmarks={"y": Mark(True, T2, "from the desktop")}), "desktop.toml")
    result = cli(tmp_path, "state", "merge", "--config-dir", str(config), str(one), str(two))
    assert result.returncode == 0, result.stderr
    assert f"{one}: 1 read, 1 bookmarked; 1 mark newer than" in result.stdout
    assert f"{two}: 0 read, 1 bookmarked; 1 mark newer than" in result.stdout
    disk = on_disk(config)
    assert disk.is_read("a") and disk.is_read("b") and not disk.is_bookmarked("x") and disk.note("y") == "from the desktop"
    assert one.exists() and two.exists()  # the named files are the user's: left where they are
    again = cli(tmp_path, "--config-dir", str(config), "state", "merge", str(one))
    assert again.returncode == 0 and "0 marks newer" in again.stdout


def test_state_merge_refuses_an_unreadable_file_and_merges_nothing(tmp_path: Path) -> None:
    config = tmp_path / "config"
    good = write_state(tmp_path, State(read={"b": Mark(True, T2)}), "good.toml")
    (tmp_path / "bad.toml").write_text("read = [")
    for bad in ("bad.toml", "missing.toml"):
        result = cli(tmp_path, "state", "merge", "--config-dir", str(config), str(good), bad)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and f"cannot merge {bad}" in result.stderr
        assert not (config / "state.toml").exists()


@pytest.mark.parametrize("args", [["state"], ["state", "merge"], ["state", "frob", "x"]])
def test_state_usage_errors_are_one_line(tmp_path: Path, args: list[str]) -> None:
    result = cli(tmp_path, *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("digest-tui: ")


# --- times out of range -----------------------------------------------------------------

# Lines a hostile or mistaken edit can leave in state.toml, as (table, line). The first two
# are read marks laid out as the store writes them (the quick reading's path).
OUT_OF_RANGE = [
    ("unread", "15a97358ffe8 = 9999-12-31T23:59:59Z"),
    ("read", "15a97358ffe8 = 9999-01-01T00:00:00Z"),
    ("bookmarks", '15a97358ffe8 = { at = 9999-12-31T23:59:59Z, note = "n" }'),
    ("bookmarks", "15a97358ffe8 = { at = 0001-01-01T00:00:00+01:00 }"),
    ("unbookmarked", "15a97358ffe8 = { at = 9999-12-31T23:59:59-01:00 }"),
    ("read", "15a97358ffe8 = 9999-06-01T00:00:00"),
]
GOOD = State(read={"good": Mark(True, T1)}, bookmarks={"kept": Mark(True, T2, "a note")})


def with_line(table: str, line: str) -> str:
    """GOOD as the store writes it, with `line` added to `table`."""
    text = dump_state(GOOD)
    if f"[{table}]\n" not in text:  # tomli-w writes no [bookmarks] above [bookmarks.kept]
        return f"{text}\n[{table}]\n{line}\n"
    return text.replace(f"[{table}]\n", f"[{table}]\n{line}\n")


@pytest.mark.parametrize(("table", "line"), OUT_OF_RANGE)
def test_both_readings_drop_a_time_out_of_range_and_say_where(table: str, line: str) -> None:
    text = with_line(table, line)
    fast = read_state_text(text)
    assert read_state_text(text, quick=False) == fast
    state, [problem] = fast
    assert state == GOOD
    assert problem.startswith(f"[{table}] 15a97358ffe8: the time ") and "out of range" in problem


@pytest.mark.parametrize(("table", "line"), OUT_OF_RANGE)
def test_a_time_out_of_range_is_reported_once_and_the_other_marks_load_and_save(tmp_path: Path, table: str, line: str) -> None:
    content = with_line(table, line).encode()
    (tmp_path / "state.toml").write_bytes(content)
    store = StateStore(tmp_path)
    [message] = store.load()
    [copy] = tmp_path.glob("state.toml.corrupt-*")
    assert message.startswith("state.toml: ") and f"[{table}] 15a97358ffe8" in message and str(copy) in message
    assert copy.read_bytes() == content
    assert store.state == GOOD
    # The mark in the way is gone: marking the entry works (it raised OverflowError).
    assert store.set_read("15a97358ffe8", False) is False and store.set_read("15a97358ffe8")
    assert store.set_bookmark("15a97358ffe8")
    assert store.save() is None and store.take_notices() == []
    again = StateStore(tmp_path)
    assert again.load() == []
    assert again.is_read("good") and again.note("kept") == "a note"
    assert again.is_read("15a97358ffe8") and again.is_bookmarked("15a97358ffe8")
    assert list(tmp_path.glob("state.toml.corrupt-*")) == [copy]


def test_a_time_out_of_range_in_a_file_changed_while_running_never_stops_a_save(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.load()
    store.set_bookmark("shown")
    (tmp_path / "state.toml").write_text(with_line("bookmarks", "bad = { at = 0001-01-01T00:00:00+01:00 }"), encoding="utf-8")
    assert store.save() is None
    [notice] = store.take_notices()
    assert "[bookmarks] bad" in notice
    assert on_disk(tmp_path).bookmarks.keys() == {"kept", "shown"}


@pytest.mark.parametrize(("table", "line"), OUT_OF_RANGE[::3])
def test_a_time_out_of_range_in_a_conflict_copy_is_blamed_on_the_copy(tmp_path: Path, table: str, line: str) -> None:
    write_state(tmp_path, State(bookmarks={"mine": Mark(True, T1)}))
    (tmp_path / SYNCTHING).write_text(with_line(table, line), encoding="utf-8")
    state, [warning] = load_state(tmp_path / "state.toml")  # as `export` reads it
    assert warning.startswith(f"{tmp_path / SYNCTHING}: ") and f"[{table}] 15a97358ffe8" in warning
    assert state.is_bookmarked("mine") and state.is_read("good")

    store = StateStore(tmp_path)
    messages = store.load()
    [problem] = [m for m in messages if "15a97358ffe8" in m]
    assert problem.startswith(f"{tmp_path / SYNCTHING}: ") and "Could not save" not in " ".join(messages)
    assert on_disk(tmp_path) == store.state and store.is_bookmarked("mine") and store.note("kept") == "a note"
    assert os.listdir(tmp_path / "merged") == [SYNCTHING]
    store.set_read("later")
    assert store.save() is None and store.take_notices() == []


def test_export_leaves_out_a_time_out_of_range_and_says_where(tmp_path: Path, seeds_dir: Path, library) -> None:
    config = tmp_path / "config"
    kept, bad = library.entries[0].id, library.entries[1].id
    config.mkdir()
    (config / "state.toml").write_text(
        f"version = 1\n[bookmarks]\n{kept} = {{ at = 2026-11-24T21:13:43Z }}\n{bad} = {{ at = 0001-01-01T00:00:00+01:00 }}\n", encoding="utf-8"
    )
    result = cli(tmp_path, "export", "--bookmarked", "--config-dir", str(config), str(seeds_dir))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert str(config / "state.toml") in result.stderr and f"[bookmarks] {bad}" in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [kept]


def test_state_merge_sets_aside_a_time_out_of_range_in_either_file(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "state.toml").write_text(with_line("bookmarks", "mine = { at = 0001-01-01T00:00:00+01:00 }"), encoding="utf-8")
    other = tmp_path / "laptop.toml"
    other.write_text(with_line("unread", "theirs = 9999-12-31T23:59:59Z").replace("good", "also"), encoding="utf-8")
    result = cli(tmp_path, "state", "merge", "--config-dir", str(config), str(other))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    [mine] = [line for line in result.stderr.splitlines() if "[bookmarks] mine" in line]
    [theirs] = [line for line in result.stderr.splitlines() if "[unread] theirs" in line]
    assert "state.toml" in mine and str(other) in theirs
    disk = on_disk(config)
    assert disk.is_read("good") and disk.is_read("also") and disk.note("kept") == "a note"
    assert "mine" not in disk.bookmarks and "theirs" not in disk.read
