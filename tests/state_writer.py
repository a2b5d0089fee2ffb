"""The writers of tests/test_state_processes.py: each runs as a process of its own.

They are started by multiprocessing's fork server with digest_tui.disk.store already imported, so
a writer is running in milliseconds and the test can kill hundreds of them. Each reports over
a pipe: ("ready",) once it has loaded the state, ("saved", N) after each save, ("stalled",)
when a save stopped before its rename, ("failed", message) when a save went wrong, and
("notice", message) for what loading the state had to say.
"""

from __future__ import annotations

import os
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from digest_tui.disk.store import StateStore


def stall_before_rename(report: Connection) -> None:
    """Every later os.replace stops for good: the temporary file is written, the rename never comes."""

    def stalled(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        report.send(("stalled",))
        threading.Event().wait()

    os.replace = stalled  # type: ignore[assignment]


def count(directory: Path, stall: int, report: Connection) -> None:
    """Add read marks e000000, e000001 … one per save, until killed. With `stall` > 0, the save
    that would make `stall` marks stops after writing its temporary file, before the rename."""
    store = StateStore(directory)
    for message in store.load():
        report.send(("notice", message))
    n = sum(1 for entry_id in store.read_ids if entry_id.startswith("e"))
    report.send(("ready",))
    while True:
        if n + 1 == stall:
            stall_before_rename(report)
        store.set_read(f"e{n:06d}")
        message = store.save()
        if message:
            report.send(("failed", message))
            return
        n += 1
        if n == stall:
            report.send(("failed", "the save did not go through os.replace"))
            return
        report.send(("saved", n))


def bookmark(directory: Path, prefix: str, how_many: int, go: Connection, report: Connection) -> None:
    """Once told to go, bookmark PREFIX0000 … one per save."""
    store = StateStore(directory)
    for message in store.load():
        report.send(("notice", message))
    report.send(("ready",))
    go.recv()
    for i in range(how_many):
        store.set_bookmark(f"{prefix}{i:04d}")
        message = store.save()
        if message:
            report.send(("failed", message))
            return
    report.send(("done",))
