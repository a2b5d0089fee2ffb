"""The benchmark's tables: what was measured on each archive, beside the targets, in Markdown
between two marker lines of docs/benchmarks.md (or another file), a block for each size."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import median

from benchmarks.starts import Start

BEGIN, END = "<!-- benchmark table: begin -->", "<!-- benchmark table: end -->"
SHAPE_NAMES = {"daily": "one file a day", "many": "many small files"}
NAN = float("nan")


@dataclass
class Case:
    """One archive and what was measured on it."""

    entries: int
    shape: str
    files: int = 0
    archive_mb: float = 0.0
    parse_mb_s: float = NAN
    bare: list[Start] = field(default_factory=list)
    cold: list[Start] = field(default_factory=list)
    warm: list[Start] = field(default_factory=list)
    series: dict[str, list[float]] = field(default_factory=dict)
    """Durations in milliseconds, by name (driver.py): cursor_ms, tag_filter_ms, date_filter_ms, search_ms."""

    def time(self, starts: list[Start], name: str) -> float:
        return median(start.times[name] for start in starts)

    def rss(self, starts: list[Start]) -> float:
        return max(start.rss_mb for start in starts)


@dataclass(frozen=True)
class Target:
    text: str
    met: Callable[[float], bool]


def below(limit: float, unit: str = "") -> Target:
    return Target(f"< {limit:g}{unit}", lambda value: value < limit)


def at_most(limit: float, unit: str = "") -> Target:
    return Target(f"≤ {limit:g}{unit}", lambda value: value <= limit)


def at_least(limit: float) -> Target:
    return Target(f"≥ {limit:g}", lambda value: value >= limit)


# A frame's budget (16 ms) and the state store's do not grow with the archive.
COMMON = {
    "parse": at_least(50),
    "tag_p95": below(16),
    "date_p95": below(16),
    "cursor_p95": below(16),
    "state_quick": below(200),
    "state_save": below(300),
}
TARGETS = {
    100_000: COMMON
    | {
        "warm_ratio": at_most(1.5, "×"),
        "cold_ratio": at_most(2, "×"),
        "loaded_warm": below(1),
        "loaded_cold": below(5),
        "search_p95": below(30),
        "rss_ratio": below(1.2, "×"),
    },
    1_000_000: COMMON
    | {
        "warm_ratio": at_most(2, "×"),
        "loaded_warm": below(3),
        "search_p95": below(50),
        "rss_ratio": below(1, "×"),
    },
}


# The search language's own target: a parsed query over 10,000 entries.
TARGETS[10_000] = TARGETS[100_000] | {key: below(50) for key in ("phrase_p95", "negation_p95", "field_p95")}


def targets_for(entries: int) -> tuple[int, dict[str, Target]]:
    """The size whose targets judge an archive of `entries`, and those targets."""
    size = 1_000_000 if entries >= 1_000_000 else 100_000 if entries >= 100_000 else 10_000
    return size, TARGETS[size]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return NAN
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    unit: str
    value: Callable[[Case, dict[str, float]], float]

    def cell(self, case: Case, state: dict[str, float]) -> str:
        try:
            value = self.value(case, state)
        except (KeyError, ValueError, ZeroDivisionError):
            value = NAN
        return format_value(value, self.unit)


def format_value(value: float, unit: str) -> str:
    if value != value:  # nan
        return "–"
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "ms":
        return f"{value:.1f}"
    if unit == "s":
        return f"{value:.2f}"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _series(name: str, q: float | None = None) -> Callable[[Case, dict[str, float]], float]:
    def value(case: Case, state: dict[str, float]) -> float:
        values = case.series[name]
        return median(values) if q is None else pct(values, q)

    return value


def _ratio(kind: str) -> Callable[[Case, dict[str, float]], float]:
    return lambda case, state: case.time(getattr(case, kind), "interactive") / case.time(case.bare, "interactive")


def _index_built(case: Case, state: dict[str, float]) -> float:
    """Archives below the size that gets an index have none to wait for."""
    if not case.cold or not all("index_written" in start.times for start in case.cold):
        return NAN
    return case.time(case.cold, "index_written")


MEASURES = [
    Measure("parse", "parse throughput, parser alone", "MB/s", lambda case, state: case.parse_mb_s),
    Measure("bare", "time to interactive, bare Textual app", "s", lambda case, state: case.time(case.bare, "interactive")),
    Measure("cold", "time to interactive, cold (no parse cache)", "s", lambda case, state: case.time(case.cold, "interactive")),
    Measure("warm", "time to interactive, warm", "s", lambda case, state: case.time(case.warm, "interactive")),
    Measure("cold_ratio", "cold ÷ bare", "×", _ratio("cold")),
    Measure("warm_ratio", "warm ÷ bare", "×", _ratio("warm")),
    Measure("loaded_cold", "whole archive loaded and searchable, cold", "s", lambda case, state: case.time(case.cold, "loaded")),
    Measure("loaded_warm", "whole archive loaded and searchable, warm", "s", lambda case, state: case.time(case.warm, "loaded")),
    Measure("cache", "parse cache written (cold start)", "s", lambda case, state: case.time(case.cold, "cache_written")),
    Measure("index", "search index built by another process (cold start)", "s", _index_built),
    Measure("search_median", "search keystroke, median", "ms", _series("search_ms")),
    Measure("search_p95", "search keystroke, p95", "ms", _series("search_ms", 0.95)),
    Measure("phrase_p95", 'search keystroke p95, phrase "mixture of experts"', "ms", _series('search_ms "mixture of experts"', 0.95)),
    Measure("negation_p95", "search keystroke p95, negation reasoning -transformer", "ms", _series("search_ms reasoning -transformer", 0.95)),
    Measure("field_p95", "search keystroke p95, fields author:park title:adam", "ms", _series("search_ms author:park title:adam", 0.95)),
    Measure("tag_median", "tag filter, median", "ms", _series("tag_filter_ms")),
    Measure("tag_p95", "tag filter, p95", "ms", _series("tag_filter_ms", 0.95)),
    Measure("date_median", "date filter, median", "ms", _series("date_filter_ms")),
    Measure("date_p95", "date filter, p95", "ms", _series("date_filter_ms", 0.95)),
    Measure("cursor_median", "cursor move, median", "ms", _series("cursor_ms")),
    Measure("cursor_p95", "cursor move, p95", "ms", _series("cursor_ms", 0.95)),
    Measure("state_quick", "read ids at start, from state.readids (100,000 read)", "ms", lambda case, state: state["quick_ms"]),
    Measure("state_load", "whole state read after the library (100,000 read, 1,000 bookmarks)", "ms", lambda case, state: state["load_ms"]),
    Measure("state_save", "state save after a change (in a worker thread)", "ms", lambda case, state: state["save_ms"]),
    Measure("rss_cold", "peak RSS, cold start", "MB", lambda case, state: case.rss(case.cold)),
    Measure("rss_warm", "peak RSS, warm start", "MB", lambda case, state: case.rss(case.warm)),
    Measure("rss_ratio", "peak RSS ÷ archive size", "×", lambda case, state: case.rss(case.cold + case.warm) / case.archive_mb),
]


def render(cases: list[Case], state: dict[str, float], info: dict[str, str], command: str, queries: list[str], smoke: bool = False) -> dict[int, str]:
    """A block of text for each archive size, between its own marker lines: when, where and how
    it was measured, its table (a column for each shape) and what the times are."""
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    blocks = {}
    for size in dict.fromkeys(case.entries for case in cases):
        chosen = [case for case in cases if case.entries == size]
        runs = max(len(case.warm) for case in chosen)
        lines = [block_marker(size, "begin"), "", f"**{size:,} entries**, measured {when} by `{command}` on:", ""]
        lines += [f"- {key}: {value}" for key, value in info.items()]
        lines += ["", *table(chosen, state, judged=not smoke), ""]
        lines.append(
            f"Starts are medians of {runs} process{'es' if runs > 1 else ''} of each kind (bare, cold, warm), run in turns,"
            " each timed from just before it is started in a 120×40 pseudo-terminal until what it draws shows the moment"
            " (see above); peak RSS is the largest of them. Keystrokes, filters and cursor moves are timed inside one more"
            f" warm process, from the key event to the screen drawn again. Queries: {', '.join(queries)} (typed a key at a time)."
        )
        lines += ["", block_marker(size, "end")]
        blocks[size] = "\n".join(lines)
    return blocks


def block_marker(size: int, end: str) -> str:
    return f"<!-- {size} entries: {end} -->"


_BLOCK = re.compile(r"<!-- (\d+) entries: begin -->.*?<!-- \1 entries: end -->", re.DOTALL)


def table(cases: list[Case], state: dict[str, float], judged: bool) -> list[str]:
    entries = cases[0].entries
    shapes = [SHAPE_NAMES.get(case.shape, case.shape) for case in cases]
    size, targets = targets_for(entries)
    lines = []
    head = ["measure", "unit", *shapes]
    if judged:
        head += ["target" if size == entries else f"target (for {size:,} entries)", "met" if len(cases) == 1 else f"met ({' / '.join(shapes)})"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("| --- | --- | " + " | ".join("---:" for _ in cases) + (" | --- | ---" if judged else "") + " |")
    extra = ["", ""] if judged else []
    lines.append("| " + " | ".join(["digest files", "files", *(f"{case.files:,}" for case in cases), *extra]) + " |")
    lines.append("| " + " | ".join(["size on disk", "MB", *(f"{case.archive_mb:,.1f}" for case in cases), *extra]) + " |")
    for measure in MEASURES:
        cells = [measure.name, measure.unit, *(measure.cell(case, state) for case in cases)]
        if judged:
            target = targets.get(measure.key)
            cells += [target.text, " / ".join(verdict(measure, target, case, state) for case in cases)] if target else ["", ""]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def verdict(measure: Measure, target: Target, case: Case, state: dict[str, float]) -> str:
    try:
        value = measure.value(case, state)
    except (KeyError, ValueError, ZeroDivisionError):
        return "–"
    if value != value:
        return "–"
    return "yes" if target.met(value) else "**no**"


def write_tables(path: Path, blocks: dict[int, str]) -> None:
    """Put the blocks between the marker lines of `path`, each in place of the block of its
    size and beside those of other sizes (so a run can be split by size), smallest size
    first; text there that is no block goes. The rest of the file stays; a new file gets a
    heading and the blocks."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        inside, after = rest.split(END, 1)
        kept = {int(match[1]): match[0] for match in _BLOCK.finditer(inside)}
    else:
        before, after = (text.rstrip() + "\n\n" if text.strip() else "# Benchmarks\n\n"), "\n"
        kept = {}
    kept.update(blocks)
    region = "\n\n".join([BEGIN, *(kept[size] for size in sorted(kept)), END])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(before + region + after, encoding="utf-8")


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
