"""The token index on a synthetic archive: how long it takes to build (in this process, and in a
worker process as the reader would run it), how big its file is, how long opening it takes, and
each keystroke of the benchmark's queries typed a letter at a time, through the token index and
through the scan it replaces (whose results it must equal).

    python benchmarks/tokens_bench.py [--entries 100000] [--workdir DIR] [--no-scan]

The archive is made under --workdir (kept there and reused) or in a temporary directory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.archive import generate  # noqa: E402
from digest_tui.digest.library import load_library  # noqa: E402
from digest_tui.digest.search import SearchIndex, search_bytes  # noqa: E402
from digest_tui.digest.tokens import TokenIndex, build_and_save  # noqa: E402

QUERIES = ["transformer", "reasoning model", "모델", "추론을", "#efficiency", "zqxjv"]
KEY = b"benchmark"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python benchmarks/tokens_bench.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None, help="where the archive and index are made (default a temporary directory)")
    parser.add_argument("--no-scan", action="store_true", help="skip the scan's keystrokes (slow at 100,000 entries)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        run(args.workdir or Path(temporary), args.entries, scan=not args.no_scan)


def run(workdir: Path, entries: int, scan: bool) -> None:
    archive = workdir / f"archive-{entries}"
    if not archive.exists():
        say(f"making an archive of {entries:,} entries in {archive}")
        generate(archive, entries)
    library = load_library([archive])
    texts = library.search_texts or [search_bytes(entry) for entry in library.entries]
    say(f"{len(texts):,} entries, {sum(map(len, texts)) / 1e6:.0f} MB of search text")

    wall, cpu = time.perf_counter(), time.process_time()
    built = TokenIndex.build(texts)
    say(f"build in this process: {time.perf_counter() - wall:.2f} s ({time.process_time() - cpu:.2f} s CPU), {built.vocabulary_size:,} tokens")
    path = workdir / f"tokens-{entries}.bin"
    begin = time.perf_counter()
    built.save(path, KEY)
    say(f"save: {time.perf_counter() - begin:.2f} s, {path.stat().st_size / 1e6:.1f} MB")
    del built

    begin = time.perf_counter()
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        pool.submit(build_and_save, texts, str(path), KEY).result()
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    say(f"build_and_save in a worker process (spawned, texts sent to it): {time.perf_counter() - begin:.2f} s, its peak RSS {child_rss:.0f} MB")

    opens = []
    for _ in range(20):
        begin = time.perf_counter()
        opened = TokenIndex.open(path, KEY, len(texts))
        opens.append(time.perf_counter() - begin)
    assert opened is not None
    begin = time.perf_counter()
    assert opened.verify()
    say(f"open: median {statistics.median(opens) * 1e3:.2f} ms; verify (reads the whole file): {(time.perf_counter() - begin) * 1e3:.0f} ms")

    keystrokes(lambda: SearchIndex(library.entries, tokens=TokenIndex.open(path, KEY, len(texts))), "tokens")
    if scan:
        expected = keystrokes(lambda: SearchIndex(library.entries, texts), "scan")
        got = {query: SearchIndex(library.entries, tokens=opened).search(query) for query in expected}
        assert got == expected, "the token index found other entries than the scan"
        say("the token index found the same entries as the scan for every keystroke")


def keystrokes(make: Callable[[], SearchIndex], name: str) -> dict[str, list[int]]:
    """Each query typed a letter at a time into a fresh index (a new reading session); prints the
    times per keystroke, and returns every keystroke's results."""
    times: list[float] = []
    results: dict[str, list[int]] = {}
    for query in QUERIES:
        index = make()
        row = []
        for end in range(1, len(query) + 1):
            typed = query[:end]
            begin = time.perf_counter()
            results[typed] = index.search(typed)
            row.append(time.perf_counter() - begin)
        times.extend(row)
        say(f"  {name} {query!r:18} {' '.join(f'{t * 1e3:.1f}' for t in row)} ms ({len(results[query]):,} found)")
    say(f"{name}: per keystroke p50 {percentile(times, 50) * 1e3:.1f} ms, p95 {percentile(times, 95) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms")
    return results


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def say(text: str) -> None:
    print(text, flush=True)


if __name__ == "__main__":
    main()
