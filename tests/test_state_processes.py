"""state.toml under real processes: writers killed with SIGKILL mid-save, and two writers at once."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from digest_tui.disk.marks import Mark, State
from digest_tui.disk.stateformat import dump_state, parse_state
from digest_tui.disk.store import StateStore
from tests import state_writer

KILLS = 200
# Writers are forked from a server that has digest_tui.disk.store imported already: a new Python
# for each would spend a tenth of a second importing before it could be killed.
WRITERS = multiprocessing.get_context("forkserver")
WRITERS.set_forkserver_preload(["tests.state_writer"])


def start(target: Callable[..., None], *args: object) -> tuple[BaseProcess, Connection]:
    """A writer process running `target(*args, report)`, and the end of the pipe it reports to."""
    report, sender = WRITERS.Pipe(duplex=False)
    writer = WRITERS.Process(target=target, args=(*args, sender), daemon=True)
    writer.start()
    sender.close()  # the writer's end only: a writer that ends early then reads as EOFError
    return writer, report


def receive(report: Connection) -> tuple[Any, ...]:
    """The writer's next report, what it said about loading the state left out."""
    while True:
        message: tuple[Any, ...] = report.recv()
        if message[0] != "notice":
            return message


def base_state() -> State:
    """Some bulk, so that each save writes a file of a few hundred kilobytes."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    read = {f"base{i:05d}": Mark(i % 5 != 0, start + timedelta(minutes=i)) for i in range(4000)}
    bookmarks = {f"base{i:05d}": Mark(True, start + timedelta(minutes=i), f"note {i} with \"quotes\" and a\nnewline") for i in range(0, 4000, 20)}
    return State(read, bookmarks)


def saves_reported(report: Connection, until: str) -> int:
    """Read the writer's reports up to `until`; the highest "saved" count among them (0 if none)."""
    saved = 0
    while True:
        message = receive(report)
        assert message[0] in ("ready", "saved", until), message
        if message[0] == "saved":
            saved = message[1]
        if message[0] == until:
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
        writer, report = start(state_writer.count, tmp_path, stall)
        try:
            if moment == 1:  # after a few finished saves, somewhere in the next one
                assert receive(report) == ("ready",)
                for _ in range(rng.randint(0, 3)):
                    kind, reported = receive(report)
                    assert kind == "saved", reported
            elif moment == 2:  # the temporary file is written, the rename has not happened
                reported = max(reported, saves_reported(report, "stalled"))
            writer.kill()  # SIGKILL; moment 0: while it starts or loads
        finally:
            writer.kill()
            writer.join()
            report.close()
        assert writer.exitcode == -signal.SIGKILL, "the writer ended early"
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
    starts = [WRITERS.Pipe(duplex=False) for _ in range(2)]
    writers = [start(state_writer.bookmark, tmp_path, prefix, count, go) for prefix, (go, _) in zip(("a", "b"), starts)]
    try:
        for _, report in writers:
            assert receive(report) == ("ready",)
        for _, go in starts:  # both go at once
            go.send("go")
        results = [receive(report) for _, report in writers]
        for writer, _ in writers:
            writer.join(60)
    finally:
        for writer, report in writers:
            writer.kill()
            report.close()
    assert results == [("done",), ("done",)]
    assert [writer.exitcode for writer, _ in writers] == [0, 0]
    state = parse_state((tmp_path / "state.toml").read_text(encoding="utf-8"))
    expected = {f"{prefix}{i:04d}" for prefix in ("a", "b") for i in range(count)}
    assert {key for key, mark in state.bookmarks.items() if mark.on} == expected
