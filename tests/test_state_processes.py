"""state.toml under real processes: writers killed with SIGKILL mid-save, and two writers at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
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


def saves_reported(writer: subprocess.Popen[str], until: str) -> int:
    """Read the writer's lines up to `until`; the highest "saved N" among them (0 if none)."""
    saved = 0
    while True:
        line = writer.stdout.readline()  # type: ignore[union-attr]
        assert line, f"the writer ended early: {writer.stderr.read()}"  # type: ignore[union-attr]
        if line.startswith("saved "):
            saved = int(line.split()[1])
        if line == until + "\n":
            return saved


def test_a_writer_killed_at_random_moments_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    """Writers are killed while starting, between saves, and (by a stalled rename) in the middle
    of a write; the file always holds every save a writer reported as done, and nothing else."""
    base = base_state()
    (tmp_path / "state.toml").write_text(dump_state(base), encoding="utf-8")
    rng = random.Random(20261124)
    counted = 0
    reported = 0
    kills_mid_write = 0
    left_behind: set[str] = set()
    for kill in range(KILLS):
        moment = kill % 3
        stall = counted + rng.randint(1, 3) if moment == 2 else -1
        writer = spawn("count", str(tmp_path), str(stall))
        try:
            if moment == 1:  # after a few finished saves, somewhere in the next one
                assert writer.stdout.readline() == "ready\n", writer.stderr.read()  # type: ignore[union-attr]
                for _ in range(rng.randint(0, 3)):
                    line = writer.stdout.readline()  # type: ignore[union-attr]
                    assert line.startswith("saved "), writer.stderr.read()  # type: ignore[union-attr]
                    reported = int(line.split()[1])
            elif moment == 2:  # the temporary file is written, the rename has not happened
                reported = max(reported, saves_reported(writer, "stalled"))
            writer.send_signal(signal.SIGKILL)  # moment 0: while it starts or loads
        finally:
            writer.kill()
            writer.communicate()
        assert writer.returncode == -signal.SIGKILL, f"the writer ended early: {writer.stderr}"
        temps = {name for name in os.listdir(tmp_path) if name.endswith(".tmp")}
        if moment == 2:
            assert temps - left_behind, "the stalled writer left no temporary file"
            kills_mid_write += 1
        left_behind = temps

        # The file is always complete: it parses, keeps every earlier mark, and holds the
        # marks e000000 … of exactly some number of finished saves, never fewer than reported.
        state = parse_state((tmp_path / "state.toml").read_text(encoding="utf-8"))
        counter = {key: mark for key, mark in state.read.items() if key.startswith("e")}
        assert sorted(counter) == [f"e{i:06d}" for i in range(len(counter))]
        assert all(mark.on for mark in counter.values())
        assert len(counter) >= max(counted, reported)
        if moment == 2:
            assert len(counter) == stall - 1, "a save that never renamed its file shows"
        counted = len(counter)
        assert {k: v for k, v in state.read.items() if k.startswith("base")} == base.read
        assert state.bookmarks == base.bookmarks
    assert kills_mid_write == len(range(2, KILLS, 3))

    # The next save clears what killed writers left behind (temporary files older than 1 s).
    for name in left_behind:
        aged = (tmp_path / name).stat().st_mtime - 5
        os.utime(tmp_path / name, (aged, aged))
    store = StateStore(tmp_path)
    assert store.load() == []
    store.set_read("after")
    assert store.save() is None
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


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
