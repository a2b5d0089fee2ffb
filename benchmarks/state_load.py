"""StateStore at 100,000 read marks and 1,000 bookmarks: the quick step (load_read_ids, the
read ids from state.readids); the full load with the read-mark lines taken out the quick way
(what the store does) and with tomllib reading the whole file; a save after one change
(tomli-w writes the whole file, then the snapshot); and how long a thread that ticks every
half millisecond waits for the interpreter lock while the full load runs.

    python benchmarks/state_load.py [--read 100000] [--runs 7]

Prints the median of each, in milliseconds. The longest wait is given twice: as it is, and
with the garbage collector off, since the full collections the load's 100,000 new marks set
off hold the lock too and are not the load's to split up.
"""

from __future__ import annotations

import argparse
import functools
import gc
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
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
        return timed_ms(directory, runs, StateStore.load)
    finally:
        store_module.read_state_text = original


def timed_ms(directory: Path, runs: int, step: Callable[[StateStore], object], *, quick_first: bool = False) -> float:
    """The median time of `step` on a new store (after the store's quick step, with
    quick_first), which must go through: no messages from a load, True from the quick step."""
    times = []
    for _ in range(runs):
        gc.collect()
        store = StateStore(directory)
        if quick_first:
            assert store.load_read_ids(), "no fresh state.readids"
        begin = time.perf_counter()
        outcome = step(store)
        times.append(time.perf_counter() - begin)
        assert outcome == [] or outcome is True, outcome
    return statistics.median(times) * 1000


def ticking_waits(directory: Path, runs: int, *, collect: bool) -> float:
    """The longest wait between two ticks of a thread that ticks every half millisecond while
    load() runs after the quick step, in milliseconds (the median over the runs);
    collect=False: with the garbage collector off, which leaves the waits of the load's own work."""
    waits = []
    for _ in range(runs):
        gc.collect()
        if not collect:
            gc.disable()
        try:
            waits.append(longest_wait_during_load(directory))
        finally:
            gc.enable()
    return statistics.median(waits) * 1000


def longest_wait_during_load(directory: Path) -> float:
    """One load beside a ticking thread: see ticking_waits (in seconds). No gc.callbacks to
    time the collections: a callback is Python code that runs inside the C call that set off
    the collection, and lets the ticking thread in where it otherwise could not."""
    ticks: list[float] = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        store = StateStore(directory)
        assert store.load_read_ids(), "no fresh state.readids"
        begin = time.perf_counter()
        store.load()
        end = time.perf_counter()
    finally:
        stop.set()
        ticker.join()
    return max(later - earlier for earlier, later in zip(ticks, ticks[1:], strict=False) if later > begin and earlier < end)


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
        print(f"state.readids: {(directory / 'state.readids').stat().st_size / 1e6:.1f} MB (written by the first load)")
        print(f"quick step, read ids only:         {timed_ms(directory, options.runs, StateStore.load_read_ids):7.1f} ms")
        print(f"load after the quick step:         {timed_ms(directory, options.runs, StateStore.load, quick_first=True):7.1f} ms")
        print(f"longest wait of a ticking thread:  {ticking_waits(directory, options.runs, collect=True):7.1f} ms during the load")
        print(f"  … with the garbage collector off: {ticking_waits(directory, options.runs, collect=False):6.1f} ms")
        print(f"save after one change:             {save_ms(directory, ids, options.runs):7.1f} ms")


if __name__ == "__main__":
    main()
