"""The benchmark: synthetic archives made from the sample digests, and the reader measured on
them in real processes. Run from a checkout: `python benchmarks/bench.py`; `--smoke` for the
quick 1,000-entry run the tests do. It is not part of the installed package.

For each archive size it measures the parser alone, then starts the real reader headless in
fresh processes (benchmarks/driver.py; cold: no parse cache; warm: the cache the cold run
wrote) next to a bare Textual app, and has the warm reader move its cursor, filter and search
as a user would. The state store is measured on its own. The archives come from
benchmarks/archive.py. The digest_tui measured is the one in this checkout.

A full run puts its table between two marker lines of docs/benchmarks.md (so the text around
it stays), or of the file given with --output; a smoke run prints its table and writes it only
where --output says.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    # Run as `python benchmarks/bench.py`, only benchmarks/ is on the path: the checkout's
    # digest_tui (installed or not) and this directory as the package `benchmarks`.
    sys.path.insert(0, str(ROOT))

SIZES = (1_000, 10_000, 100_000)
SMOKE_SIZES = (1_000,)
TARGET_SIZE = 100_000
SEED = 20240814
QUERIES = ["transformer", "reasoning model", "모델", "추론을", "#efficiency", "zqxjv"]
"""Typed a key at a time: English words, Korean words, a tag, and a word found nowhere."""
STATE_READ, STATE_BOOKMARKS = 100_000, 1_000
BEGIN, END = "<!-- benchmark table: begin -->", "<!-- benchmark table: end -->"
DOCS = ROOT / "docs" / "benchmarks.md"


@dataclass
class Run:
    """What one process reported, in seconds from just before it was spawned."""

    times: dict[str, float]
    values: dict
    rss_mb: float


@dataclass
class SizeResult:
    entries: int
    files: int = 0
    archive_mb: float = 0.0
    parse_mb_s: float = 0.0
    cold: list[Run] = field(default_factory=list)
    warm: list[Run] = field(default_factory=list)
    bare: list[Run] = field(default_factory=list)

    def time(self, runs: list[Run], name: str) -> float:
        return median(run.times[name] for run in runs)

    def series(self, name: str) -> list[float]:
        return [value for run in self.warm for value in run.values.get(name, [])]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench.py", description="Measure the reader on synthetic archives.")
    parser.add_argument("--smoke", action="store_true", help="1,000 entries and one run each: a quick check that everything runs")
    parser.add_argument("--sizes", default=None, help="comma-separated archive sizes in entries (default 1000,10000,100000)")
    parser.add_argument("--runs", type=int, default=None, help="processes per kind of start (default 3; 1 with --smoke)")
    parser.add_argument("--output", type=Path, default=None, help="where the table goes (default docs/benchmarks.md; with --smoke, nowhere)")
    parser.add_argument("--workdir", type=Path, default=None, help="where archives are made (default a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    options = parser.parse_args(argv)
    sizes = SMOKE_SIZES if options.smoke else tuple(int(s.replace("_", "")) for s in options.sizes.split(",")) if options.sizes else SIZES
    runs = options.runs or (1 if options.smoke else 3)
    output = output_for(options.smoke, options.output)
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="digest-tui-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        results = [measure_size(workdir, size, runs) for size in sizes]
        state = measure_state(workdir / "state")
        table = render(results, state, machine(), smoke=options.smoke)
        print(table)
        if output is None:
            print("\nnot written anywhere (a smoke run writes its table only where --output says)")
        else:
            write_table(output, table)
            print(f"\nwritten to {output.absolute()}")
    finally:
        if not options.keep and options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def output_for(smoke: bool, output: Path | None) -> Path | None:
    """Where the table goes: --output if given, else docs/benchmarks.md of this checkout for a
    full run; a smoke run's numbers (one small archive, one process each) do not replace the
    published ones unless asked to."""
    if output is not None:
        return output
    return None if smoke else DOCS


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- one archive size ----------------------------------------------------------------------


def measure_size(workdir: Path, size: int, runs: int) -> SizeResult:
    from benchmarks.archive import generate

    result = SizeResult(size)
    archive = workdir / f"archive-{size}"
    say(f"[{size:,}] making the archive")
    if archive.exists():
        shutil.rmtree(archive)
    result.files, written = generate(archive, size, seed=SEED)
    result.archive_mb = written / 1e6
    say(f"[{size:,}] {result.files:,} files, {result.archive_mb:.1f} MB; parsing")
    ids = measure_parse(archive, result)
    config = workdir / f"config-{size}"
    write_config(config, ids)
    for n in range(runs):
        say(f"[{size:,}] cold start {n + 1}/{runs}")
        cache = workdir / f"cache-{size}-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        result.cold.append(spawn(["app", str(archive), str(config), "watch"], cache))
    for n in range(runs):
        say(f"[{size:,}] warm start {n + 1}/{runs}")
        interact = "interact" if n == 0 else "watch"
        result.warm.append(spawn(["app", str(archive), str(config), interact, json.dumps(QUERIES)], workdir / f"cache-{size}-0"))
    for n in range(runs):
        say(f"[{size:,}] bare Textual app {n + 1}/{runs}")
        result.bare.append(spawn(["bare"], workdir / "cache-bare"))
    shutil.rmtree(archive, ignore_errors=True)
    return result


def measure_parse(archive: Path, result: SizeResult) -> list[str]:
    """The parser alone, on bytes already in memory: MB (10^6 bytes) a second."""
    import gc

    from digest_tui.digest.library import discover, parse_bytes

    files, _ = discover([archive])
    data = [(path.read_bytes(), str(path)) for path in files]
    total = sum(len(blob) for blob, _ in data)
    ids: list[str] = []
    gc.collect()
    start = time.perf_counter()
    parsed = [parse_bytes(blob, name) for blob, name in data]
    elapsed = time.perf_counter() - start
    result.parse_mb_s = total / elapsed / 1e6
    for parse_result in parsed:
        ids.extend(entry.id for entry in parse_result.entries)
    return ids


def write_config(directory: Path, ids: list[str]) -> None:
    """A reader's settings and a state of years of reading: nine in ten entries read, at
    times spread over years, and up to 1,000 bookmarks."""
    from digest_tui.disk.marks import Mark, State
    from digest_tui.disk.stateformat import dump_state

    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    # Marking read after a delay would start saves in the middle of the measurements.
    (directory / "config.toml").write_text('mark_read = "never"\n', encoding="utf-8")
    rng = random.Random(SEED)
    start = datetime(2016, 1, 1, tzinfo=UTC)
    read = {entry_id: Mark(True, start + timedelta(seconds=rng.randrange(300_000_000))) for entry_id in ids if rng.random() < 0.9}
    marked = rng.sample(ids, min(STATE_BOOKMARKS, len(ids) // 10))
    bookmarks = {entry_id: Mark(True, start + timedelta(seconds=rng.randrange(300_000_000)), "later" if rng.random() < 0.3 else "") for entry_id in marked}
    (directory / "state.toml").write_text(dump_state(State(read, bookmarks)), encoding="utf-8")


def spawn(args: list[str], cache: Path) -> Run:
    """Run the driver in a new process; times are from just before the spawn."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, DIGEST_TUI_CACHE_DIR=str(cache), PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=path)
    env.pop("TEXTUAL", None)
    command = [sys.executable, str(HERE / "driver.py"), *args]
    start = time.time()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = _read_all(process)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:1])} run failed ({process.returncode}):\n{err.decode(errors='replace')[-3000:]}")
    report = json.loads(out.decode().strip().splitlines()[-1])
    times = {key: value - start for key, value in report.items() if isinstance(value, float) and value > 1e9}
    values = {key: value for key, value in report.items() if key not in times}
    rss = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return Run(times, values, rss)


def _read_all(process: subprocess.Popen) -> tuple[bytes, bytes]:
    """stdout and stderr to the end, without reaping the process (os.wait4 does, for its
    resource usage)."""
    import threading

    chunks: dict[str, bytes] = {}

    def drain(name: str, stream) -> None:
        chunks[name] = stream.read()
        stream.close()

    reader = threading.Thread(target=drain, args=("err", process.stderr))
    reader.start()
    drain("out", process.stdout)
    reader.join()
    return chunks["out"], chunks["err"]


# -- the state store -----------------------------------------------------------------------


def measure_state(directory: Path) -> dict[str, float]:
    """StateStore with 100,000 read marks and 1,000 bookmarks: a start's load, then a save
    after one change (what the reader does every half second after a change)."""
    from digest_tui.disk.marks import Mark, State
    from digest_tui.disk.stateformat import dump_state
    from digest_tui.disk.store import StateStore

    say("state: 100,000 read marks and 1,000 bookmarks")
    if directory.exists():
        shutil.rmtree(directory)
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
    return {"load_ms": median(loads) * 1000, "save_ms": median(saves) * 1000}


# -- the table -----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import importlib.metadata

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    if not ram:
        try:
            ram = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB"
        except (ValueError, OSError, AttributeError):
            ram = "unknown"
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Textual": importlib.metadata.version("textual"),
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Row:
    name: str
    unit: str
    values: list[float]
    target: str = ""
    check: object = None  # value -> bool

    def cell(self, value: float) -> str:
        if value != value:  # nan
            return "–"
        if self.unit == "×":
            return f"{value:.2f}×"
        if self.unit in ("ms",):
            return f"{value:.1f}"
        if self.unit == "s":
            return f"{value:.2f}"
        return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def rows(results: list[SizeResult], state: dict[str, float]) -> list[Row]:
    def each(function) -> list[float]:
        out = []
        for result in results:
            try:
                out.append(function(result))
            except (KeyError, ValueError, ZeroDivisionError):
                out.append(float("nan"))
        return out

    def bare(r: SizeResult) -> float:
        return r.time(r.bare, "interactive")

    return [
        Row("parse throughput, parser alone", "MB/s", each(lambda r: r.parse_mb_s), "≥ 50", lambda v: v >= 50),
        Row("time to interactive, bare Textual app", "s", each(bare)),
        Row("time to interactive, cold (no cache)", "s", each(lambda r: r.time(r.cold, "interactive"))),
        Row("time to interactive, warm", "s", each(lambda r: r.time(r.warm, "interactive"))),
        Row("cold ÷ bare", "×", each(lambda r: r.time(r.cold, "interactive") / bare(r)), "≤ 2×", lambda v: v <= 2),
        Row("warm ÷ bare", "×", each(lambda r: r.time(r.warm, "interactive") / bare(r)), "≤ 1.5×", lambda v: v <= 1.5),
        Row("whole archive loaded and searchable, cold", "s", each(lambda r: r.time(r.cold, "loaded")), "< 5", lambda v: v < 5),
        Row("whole archive loaded and searchable, warm", "s", each(lambda r: r.time(r.warm, "loaded")), "< 1", lambda v: v < 1),
        Row("parse cache written (cold run)", "s", each(lambda r: r.time(r.cold, "cache_written"))),
        Row("search keystroke, median", "ms", each(lambda r: median(r.series("search_ms")))),
        Row("search keystroke, p95", "ms", each(lambda r: pct(r.series("search_ms"), 0.95)), "< 50", lambda v: v < 50),
        Row("tag filter, median", "ms", each(lambda r: median(r.series("tag_filter_ms"))), "< 16", lambda v: v < 16),
        Row("date filter, median", "ms", each(lambda r: median(r.series("date_filter_ms"))), "< 16", lambda v: v < 16),
        Row("cursor move, median", "ms", each(lambda r: median(r.series("cursor_ms"))), "< 16", lambda v: v < 16),
        Row("cursor move, p95", "ms", each(lambda r: pct(r.series("cursor_ms"), 0.95))),
        Row("state load (100,000 read, 1,000 bookmarks)", "ms", [state["load_ms"]] * len(results), "< 200", lambda v: v < 200),
        Row("state save after a change (in a worker thread)", "ms", [state["save_ms"]] * len(results), "< 300", lambda v: v < 300),
        Row("peak RSS, cold start", "MB", each(lambda r: max(run.rss_mb for run in r.cold))),
        Row("peak RSS, warm start", "MB", each(lambda r: max(run.rss_mb for run in r.warm))),
        Row("peak RSS ÷ archive size", "×", each(lambda r: max(run.rss_mb for run in r.cold + r.warm) / r.archive_mb), "< 2×", lambda v: v < 2),
    ]


def render(results: list[SizeResult], state: dict[str, float], info: dict[str, str], smoke: bool = False) -> str:
    sizes = [f"{r.entries:,}" for r in results]
    judged = next((i for i, r in enumerate(results) if r.entries == TARGET_SIZE), len(results) - 1)
    lines = [BEGIN, ""]
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines.append(f"Measured {when} by `python benchmarks/bench.py{' --smoke' if smoke else ''}` on:")
    lines.append("")
    for key, value in info.items():
        lines.append(f"- {key}: {value}")
    lines.append("")
    lines.append("| archive | " + " | ".join(sizes) + " |")
    lines.append("| --- | " + " | ".join("---:" for _ in sizes) + " |")
    lines.append("| digest files (one a day) | " + " | ".join(f"{r.files:,}" for r in results) + " |")
    lines.append("| size on disk (MB) | " + " | ".join(f"{r.archive_mb:.1f}" for r in results) + " |")
    lines.append("")
    note = "" if results[judged].entries == TARGET_SIZE else f" (judged at {results[judged].entries:,} entries here; the targets are for {TARGET_SIZE:,})"
    lines.append("| measure | unit | " + " | ".join(sizes) + f" | target at {TARGET_SIZE:,} | met{note} |")
    lines.append("| --- | --- | " + " | ".join("---:" for _ in sizes) + " | --- | --- |")
    for row in rows(results, state):
        value = row.values[judged]
        met = "" if row.check is None else ("–" if value != value else "yes" if row.check(value) else "**no**")
        cells = " | ".join(row.cell(v) for v in row.values)
        lines.append(f"| {row.name} | {row.unit} | {cells} | {row.target} | {met} |")
    lines.append("")
    runs = max(len(r.warm) for r in results)
    lines.append(
        f"Times to interactive and to loaded are medians of {runs} process{'es' if runs > 1 else ''} each, from just before"
        " the process is spawned; keystrokes, filters and cursor moves are timed in the first warm"
        f" process, from the key event to the list drawn again. Queries: {', '.join(QUERIES)} (typed a key at a time)."
    )
    lines.append("")
    lines.append(END)
    return "\n".join(lines)


def write_table(path: Path, table: str) -> None:
    """Put the table between the marker lines of `path`, keeping the rest; a new file gets
    a heading and the table."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + table + after
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "# Benchmarks\n\n") + table + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
