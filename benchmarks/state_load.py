"""StateStore.load at 100,000 read marks and 1,000 bookmarks: with the read-mark lines taken
out the quick way (what the store does) and with tomllib reading the whole file; then a save
after one change (tomli-w writes the whole file).

    python benchmarks/state_load.py [--read 100000] [--runs 7]

Prints the median of each, in milliseconds. The reader loads the state before its first rows
(app.load), so a start waits for the whole load.
"""

from __future__ import annotations

import argparse
import functools
import gc
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest_tui.disk import store as store_module
from digest_tui.disk.marks import Mark, State
from digest_tui.disk.stateformat import dump_state, read_state_text
from digest_tui.disk.store import StateStore

SEED = 20261124


def write_state(directory: Path, read_marks: int, bookmarks: int) -> list[str]:
    """A state.toml of years of reading, as the store writes it; returns the read ids."""
    rng = random.Random(SEED)
    start = datetime(2016, 1, 1, tzinfo=UTC)
    ids = [f"{rng.getrandbits(48):012x}" for _ in range(read_marks)]
    read = {entry_id: Mark(True, start + timedelta(seconds=rng.randrange(300_000_000))) for entry_id in ids}
    marked = {entry_id: Mark(True, start + timedelta(seconds=rng.randrange(300_000_000)), "note" if rng.random() < 0.3 else "") for entry_id in ids[:bookmarks]}
    (directory / "state.toml").write_text(dump_state(State(read, marked)), encoding="utf-8")
    return ids


def load_ms(directory: Path, runs: int, *, quick: bool) -> float:
    reader = functools.partial(read_state_text, quick=quick)
    original, store_module.read_state_text = store_module.read_state_text, reader
    try:
        times = []
        for _ in range(runs):
            gc.collect()
            store = StateStore(directory)
            begin = time.perf_counter()
            messages = store.load()
            times.append(time.perf_counter() - begin)
            assert not messages, messages
        return statistics.median(times) * 1000
    finally:
        store_module.read_state_text = original


def save_ms(directory: Path, ids: list[str], runs: int) -> float:
    times = []
    for n in range(runs):
        store = StateStore(directory)
        store.load()
        store.set_read(ids[n], False)
        begin = time.perf_counter()
        error = store.save()
        times.append(time.perf_counter() - begin)
        assert error is None, error
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--read", type=int, default=100_000, help="read marks (default 100,000)")
    parser.add_argument("--runs", type=int, default=7, help="runs of each measure (default 7)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        directory = Path(temp)
        ids = write_state(directory, options.read, 1_000)
        size = (directory / "state.toml").stat().st_size / 1e6
        print(f"state.toml: {options.read:,} read marks, 1,000 bookmarks, {size:.1f} MB")
        print(f"load, quick reading of read marks: {load_ms(directory, options.runs, quick=True):7.1f} ms")
        print(f"load, tomllib reading it all:      {load_ms(directory, options.runs, quick=False):7.1f} ms")
        print(f"save after one change:             {save_ms(directory, ids, options.runs):7.1f} ms")


if __name__ == "__main__":
    main()
