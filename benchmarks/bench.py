"""The benchmark: the reader as a user meets it, on synthetic archives made from the sample
digests. Run from a checkout: `python benchmarks/bench.py`; `--smoke` for the quick run the
tests do. It is not part of the installed package.

The reader is built into a wheel and installed aside, bytecode compiled (benchmarks/install.py).
For each archive (benchmarks/archive.py: a size and a shape, made once and kept) it measures
the parser alone, then starts the installed reader in a 120x40 pseudo-terminal, cold (no parse
cache) and warm, in turns with a bare Textual app (benchmarks/starts.py), and has one more warm
reader move its cursor, filter and search (benchmarks/driver.py). The state store is measured
on its own.

A run puts a table for each archive size (benchmarks/report.py) between two marker lines of
docs/benchmarks.md, or of the file given with --output, in place of the table of that size
and beside the others, so a full run can be split by size; a smoke run prints its tables and
writes them only where --output says.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    # Run as `python benchmarks/bench.py`, only benchmarks/ is on the path: this directory as
    # the package `benchmarks` (and the checkout's digest_tui, for the parser and the state
    # store timed in this process and for making archives).
    sys.path.insert(0, str(ROOT))

from benchmarks import starts  # noqa: E402
from benchmarks.archive import SHAPES, Shape, cached  # noqa: E402
from benchmarks.install import Install, install  # noqa: E402
from benchmarks.report import Case, machine, render, write_tables  # noqa: E402

CASES: tuple[tuple[int, Shape], ...] = ((100_000, "daily"), (100_000, "many"), (1_000_000, "daily"))
"""What a full run measures: the targets' size in both shapes, and a million entries a file a day."""
SMOKE_CASES: tuple[tuple[int, Shape], ...] = ((1_000, "daily"), (1_000, "many"))
SEED = 20240814
QUERIES = [
    "transformer",
    "reasoning model",
    "모델",
    "추론을",
    "#efficiency",
    "zqxjv",
    '"mixture of experts"',
    "reasoning -transformer",
    "author:park title:adam",
]
"""Typed a key at a time: English words, Korean words, a tag, a word found nowhere, a phrase, a
negation and field terms (the search language: digest.query)."""
STATE_READ, STATE_BOOKMARKS = 100_000, 1_000
DOCS = ROOT / "docs" / "benchmarks.md"
PARSE_BATCH = 64_000_000
"""Bytes parsed at a time, so that a million entries are never all in memory here."""


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    cases = chosen_cases(options)
    workdir = options.workdir or Path(tempfile.gettempdir()) / "digest-tui-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=workdir))
    try:
        say("installing the reader from a wheel of this checkout")
        installed = install(run_dir / "install")
        say(f"every measured process imports {installed.module}")
        results = [measure_case(installed, workdir / "archives", run_dir, entries, shape, options) for entries, shape in cases]
        state = measure_state(run_dir / "state")
        blocks = render(results, state, machine() | {"digest-tui": checkout()}, command(options), QUERIES, smoke=options.smoke)
        print("\n\n".join(blocks.values()))
        output = output_for(options.smoke, options.output)
        if output is None:
            print("\nnot written anywhere (a smoke run writes its tables only where --output says)")
        else:
            write_tables(output, blocks)
            print(f"\nwritten to {output.absolute()}")
    finally:
        if not options.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    return 0


def parse_options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench.py", description="Measure the installed reader on synthetic archives.")
    parser.add_argument("--smoke", action="store_true", help="1,000 entries in both shapes, one run each: a quick check that everything runs; judges nothing")
    parser.add_argument("--sizes", default=None, help="comma-separated archive sizes in entries (default 100000 in both shapes and 1000000 one file a day)")
    parser.add_argument("--shapes", default=None, help=f"comma-separated shapes: {', '.join(SHAPES)} (default both)")
    parser.add_argument("--runs", type=int, default=None, help="processes of each kind of start (default 3; 1 with --smoke)")
    parser.add_argument("--output", type=Path, default=None, help="where the table goes (default docs/benchmarks.md; with --smoke, nowhere)")
    parser.add_argument("--workdir", type=Path, default=None, help="where archives are kept and runs work (default: digest-tui-bench in the temp directory)")
    parser.add_argument("--fresh", action="store_true", help="make the archives again instead of using the ones kept")
    parser.add_argument("--keep", action="store_true", help="keep this run's install, settings and caches")
    options = parser.parse_args(argv)
    options.runs = options.runs or (1 if options.smoke else 3)
    return options


def chosen_cases(options: argparse.Namespace) -> list[tuple[int, Shape]]:
    """The (size, shape) pairs to measure: with neither --sizes nor --shapes, CASES (or
    SMOKE_CASES); otherwise every size given (or of CASES) in every shape given (or both)."""
    defaults = SMOKE_CASES if options.smoke else CASES
    if options.sizes is None and options.shapes is None:
        return list(defaults)
    sizes = [int(size.replace("_", "")) for size in options.sizes.split(",")] if options.sizes else list(dict.fromkeys(size for size, _ in defaults))
    shapes = options.shapes.split(",") if options.shapes else list(SHAPES)
    for shape in shapes:
        if shape not in SHAPES:
            raise SystemExit(f"unknown shape {shape!r}: the shapes are {', '.join(SHAPES)}")
    return [(size, shape) for size in sizes for shape in shapes]


def command(options: argparse.Namespace) -> str:
    """How this table was made, for its heading (where it was written and kept left out)."""
    words = ["python benchmarks/bench.py"]
    if options.smoke:
        words.append("--smoke")
    for name in ("sizes", "shapes"):
        if getattr(options, name):
            words.append(f"--{name} {getattr(options, name)}")
    if options.runs != (1 if options.smoke else 3):
        words.append(f"--runs {options.runs}")
    return " ".join(words)


def output_for(smoke: bool, output: Path | None) -> Path | None:
    """Where the table goes: --output if given, else docs/benchmarks.md of this checkout for a
    full run; a smoke run's numbers (small archives, one process each) do not replace the
    published ones unless asked to."""
    if output is not None:
        return output
    return None if smoke else DOCS


def checkout() -> str:
    described = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True)
    commit = described.stdout.strip() if described.returncode == 0 else "unknown"
    return f"a wheel of the checkout at {commit}, installed into a directory of its own with its bytecode compiled"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- one archive ---------------------------------------------------------------------------


def measure_case(installed: Install, archives: Path, run_dir: Path, entries: int, shape: Shape, options: argparse.Namespace) -> Case:
    label = f"[{entries:,} {shape}]"
    say(f"{label} the archive")
    archive = cached(archives, entries, shape, SEED, fresh=options.fresh)
    case = Case(entries, shape, archive.files, archive.bytes / 1e6)
    say(f"{label} {archive.files:,} files, {case.archive_mb:,.1f} MB in {archive.path}; parsing")
    case.parse_mb_s, ids, titles = measure_parse(archive.path)
    if len(ids) != entries:
        raise RuntimeError(f"{archive.path} holds {len(ids)} entries, not {entries}")
    config = run_dir / f"config-{shape}-{entries}"
    write_config(config, ids)
    del ids
    for n in range(options.runs):
        say(f"{label} run {n + 1}/{options.runs}: bare Textual app, cold start, warm start")
        cache = run_dir / f"cache-{shape}-{entries}"
        shutil.rmtree(cache, ignore_errors=True)
        case.bare.append(starts.bare(installed))
        case.cold.append(starts.reader(installed, archive.path, entries, config, cache, titles, cold=True))
        case.warm.append(starts.reader(installed, archive.path, entries, config, cache, titles, cold=False))
        if n == 0:
            say(f"{label} cursor moves, filters and search")
            case.series = interact(installed, archive.path, config, cache)
        # A million entries' parse cache takes gigabytes: one at a time.
        shutil.rmtree(cache, ignore_errors=True)
    return case


def measure_parse(archive: Path) -> tuple[float, list[str], tuple[str, str]]:
    """The parser alone on bytes already in memory, in MB (10^6 bytes) a second; also every
    entry's id and the titles of the two entries the reader lists first."""
    from digest_tui.digest.library import discover, parse_bytes

    files, _ = discover([archive])
    ids: list[str] = []
    first: list = []
    total = elapsed = 0.0
    for batch in batches(files):
        data = [(path.read_bytes(), str(path)) for path in batch]
        gc.collect()
        start = time.perf_counter()
        parsed = [parse_bytes(blob, name) for blob, name in data]
        elapsed += time.perf_counter() - start
        total += sum(len(blob) for blob, _ in data)
        for result in parsed:
            ids.extend(entry.id for entry in result.entries)
            # The reader's order (digest/library.py): newest day first, then file and line.
            first = heapq.nsmallest(2, [*first, *result.entries], key=lambda e: (-e.date.toordinal(), e.source, e.line))
    return total / elapsed / 1e6, ids, (first[0].title, first[1].title)


def batches(files: list[Path]) -> Iterator[list[Path]]:
    batch: list[Path] = []
    size = 0
    for path in files:
        batch.append(path)
        size += path.stat().st_size
        if size >= PARSE_BATCH:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def write_config(directory: Path, ids: list[str]) -> None:
    """A reader's settings and a state of years of reading: nine in ten entries read, at
    times spread over years, and up to 1,000 bookmarks."""
    from digest_tui.disk.marks import Mark, State
    from digest_tui.disk.stateformat import dump_state
    from digest_tui.disk.store import StateStore

    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    # Marking read after a delay would start saves in the middle of the measurements.
    (directory / "config.toml").write_text('mark_read = "never"\n', encoding="utf-8")
    rng = random.Random(SEED)
    start = datetime(2016, 1, 1, tzinfo=UTC)
    read = {entry_id: Mark(True, start + timedelta(seconds=rng.randrange(300_000_000))) for entry_id in ids if rng.random() < 0.9}
    marked = rng.sample(ids, min(STATE_BOOKMARKS, len(ids) // 10))
    bookmarks = {entry_id: Mark(True, start + timedelta(seconds=rng.randrange(300_000_000)), "later" if rng.random() < 0.3 else "") for entry_id in marked}
    (directory / "state.toml").write_text(dump_state(State(read, bookmarks)), encoding="utf-8")
    # As an earlier start leaves it: a load writes what the store keeps beside state.toml (the
    # snapshot of the read ids), so that no measured start is the first one.
    messages = StateStore(directory).load()
    if messages:
        raise RuntimeError(f"the benchmark's state does not load cleanly: {messages}")


def interact(installed: Install, archive: Path, config: Path, cache: Path) -> dict[str, list[float]]:
    """driver.py in a process of its own, on the installed reader with a warm cache."""
    # -P: benchmarks/ is not put on the path, so nothing there can shadow a module.
    run = [sys.executable, "-P", str(HERE / "driver.py"), str(archive), str(config), json.dumps(QUERIES)]
    done = subprocess.run(run, capture_output=True, text=True, env=installed.env(DIGEST_TUI_CACHE_DIR=str(cache)), cwd=installed.cwd)
    if done.returncode != 0:
        raise RuntimeError(f"driver.py failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report.pop("module") != installed.module:
        raise RuntimeError(f"driver.py measured another digest_tui than {installed.module}")
    return report


# -- the state store -----------------------------------------------------------------------


def measure_state(directory: Path) -> dict[str, float]:
    """StateStore with 100,000 read marks and 1,000 bookmarks: the whole load, a save after one
    change (what the reader does every half second after a change), and the read ids from
    their snapshot (what a start waits for; the whole state is read after the library)."""
    from digest_tui.disk.marks import Mark, State
    from digest_tui.disk.stateformat import dump_state
    from digest_tui.disk.store import StateStore

    say("state: 100,000 read marks and 1,000 bookmarks")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    rng = random.Random(SEED)
    start = datetime(2016, 1, 1, tzinfo=UTC)
    ids = [f"{rng.getrandbits(48):012x}" for _ in range(STATE_READ)]
    read = {entry_id: Mark(True, start + timedelta(seconds=rng.randrange(300_000_000))) for entry_id in ids}
    bookmarks = {
        entry_id: Mark(True, start + timedelta(seconds=rng.randrange(300_000_000)), "note" if rng.random() < 0.3 else "")
        for entry_id in ids[:STATE_BOOKMARKS]
    }
    (directory / "state.toml").write_text(dump_state(State(read, bookmarks)), encoding="utf-8")
    loads, saves = [], []
    for n in range(5):
        store = StateStore(directory)
        begin = time.perf_counter()
        messages = store.load()
        loads.append(time.perf_counter() - begin)
        assert not messages, messages
        store.set_read(ids[n], False)
        begin = time.perf_counter()
        error = store.save()
        saves.append(time.perf_counter() - begin)
        assert error is None, error
    # What a start waits for: the read ids from the snapshot the saves above left.
    quick = []
    for _ in range(5):
        store = StateStore(directory)
        begin = time.perf_counter()
        assert store.load_read_ids(), "no fresh state.readids"
        quick.append(time.perf_counter() - begin)
    return {"quick_ms": median(quick) * 1000, "load_ms": median(loads) * 1000, "save_ms": median(saves) * 1000}


if __name__ == "__main__":
    sys.exit(main())
