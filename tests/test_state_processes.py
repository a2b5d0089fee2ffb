"""state.toml under real processes: writers killed with SIGKILL mid-save, and two writers at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from digest_tui.state import Mark, State, StateStore, dump_state, parse_state

WRITER = Path(__file__).with_name("state_writer.py")
KILLS = 200


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def base_state() -> State:
    """Some bulk, so that each save writes a file of a few hundred kilobytes."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    read = {f"base{i:05d}": Mark(i % 5 != 0, start + timedelta(minutes=i)) for i in range(4000)}
    bookmarks = {f"base{i:05d}": Mark(True, start + timedelta(minutes=i), f"note {i} with \"quotes\" and a\nnewline") for i in range(0, 4000, 20)}
    return State(read, bookmarks)


def test_a_writer_killed_at_random_moments_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    base = base_state()
    (tmp_path / "state.toml").write_text(dump_state(base), encoding="utf-8")
    rng = random.Random(20261124)
    counted = 0
    kills_mid_write = 0
    left_behind: set[str] = set()
    started = time.monotonic()
    for kill in range(KILLS):
        writer = spawn("count", str(tmp_path))
        try:
            if kill % 2 == 0:
                assert writer.stdout.readline() == "ready\n", writer.stderr.read()  # type: ignore[union-attr]
                time.sleep(rng.uniform(0, 0.05))  # in the middle of its saves
            else:
                time.sleep(rng.uniform(0, 0.1))  # anywhere: starting, loading or saving
            writer.send_signal(signal.SIGKILL)
        finally:
            writer.kill()
            writer.communicate()
        assert writer.returncode == -signal.SIGKILL, f"the writer ended early: {writer.stderr}"
        temps = {name for name in os.listdir(tmp_path) if name.endswith(".tmp")}
        kills_mid_write += bool(temps - left_behind)  # this writer died holding a temporary file
        left_behind = temps

        # The file is always complete: it parses, keeps every earlier mark, and holds the
        # marks e000000 … of exactly some number of finished saves, never fewer than before.
        state = parse_state((tmp_path / "state.toml").read_text(encoding="utf-8"))
        counter = {key: mark for key, mark in state.read.items() if key.startswith("e")}
        assert sorted(counter) == [f"e{i:06d}" for i in range(len(counter))]
        assert all(mark.on for mark in counter.values())
        assert len(counter) >= counted
        counted = len(counter)
        assert {k: v for k, v in state.read.items() if k.startswith("base")} == base.read
        assert state.bookmarks == base.bookmarks
    elapsed = time.monotonic() - started
    assert counted > KILLS, "the writers hardly ever got to save"
    assert kills_mid_write > 0, "no kill landed in the middle of a write"
    assert elapsed < 90

    # The next save clears what killed writers left behind (temporary files older than 1 s).
    time.sleep(1.1)
    store = StateStore(tmp_path)
    assert store.load() == []
    store.set_read("after")
    assert store.save() is None
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
    print(f"{KILLS} kills in {elapsed:.1f} s, {kills_mid_write} in the middle of a write, {counted} saves completed")


def test_two_processes_bookmarking_at_once_lose_nothing(tmp_path: Path) -> None:
    count = 200
    writers = [spawn("bookmark", str(tmp_path), prefix, str(count)) for prefix in ("a", "b")]
    try:
        for writer in writers:
            assert writer.stdout.readline() == "ready\n", writer.stderr.read()  # type: ignore[union-attr]
        for writer in writers:  # both go at once
            writer.stdin.write("go\n")  # type: ignore[union-attr]
            writer.stdin.flush()  # type: ignore[union-attr]
        results = [writer.communicate(timeout=60) for writer in writers]
    finally:
        for writer in writers:
            writer.kill()
    assert [writer.returncode for writer in writers] == [0, 0], results
    state = parse_state((tmp_path / "state.toml").read_text(encoding="utf-8"))
    expected = {f"{prefix}{i:04d}" for prefix in ("a", "b") for i in range(count)}
    assert {key for key, mark in state.bookmarks.items() if mark.on} == expected
