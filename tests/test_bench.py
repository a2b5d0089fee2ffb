"""The benchmark (benchmarks/, in the checkout only): its smoke mode runs end to end and writes
every row (timings are not judged here); its archives, its terminal reading and its table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # benchmarks/ is no part of the installed package

from benchmarks.archive import cached, generate  # noqa: E402
from benchmarks.bare_app import CHANGED, LINE  # noqa: E402
from benchmarks.bench import DOCS, output_for  # noqa: E402
from benchmarks.report import BEGIN, END, MEASURES, SHAPE_NAMES, block_marker, write_tables  # noqa: E402
from benchmarks.starts import count_pattern, title_start  # noqa: E402
from benchmarks.terminal import Program, Screen  # noqa: E402
from digest_tui.digest.library import load_library  # noqa: E402


def test_smoke_run_writes_the_whole_table_where_it_is_told(tmp_path):
    """`python benchmarks/bench.py --smoke --output FILE` run in some other directory: the
    installed reader is measured on 1,000 entries in both shapes, the table goes to FILE and
    the last line says so; the checkout's docs/ are left alone."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    output = tmp_path / "out" / "smoke.md"
    docs_before = DOCS.read_bytes()
    env = dict(
        os.environ,
        DIGEST_TUI_CONFIG_DIR=str(tmp_path / "config"),
        DIGEST_TUI_CACHE_DIR=str(tmp_path / "cache"),
        TMPDIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "--smoke", "--output", str(output)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.rstrip().splitlines()[-1] == f"written to {output}"
    assert DOCS.read_bytes() == docs_before
    assert not any(elsewhere.iterdir())
    # Every measured process imported the reader from the install the run made.
    module = re.search(r"every measured process imports (\S+)", done.stderr)
    assert module and Path(module[1]).is_relative_to(tmp_path / "digest-tui-bench") and "/site/digest_tui/" in module[1]
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks") and BEGIN in text and END in text
    assert "**1,000 entries**, measured " in text and " by `python benchmarks/bench.py --smoke` on:" in text
    assert block_marker(1_000, "begin") in text and block_marker(1_000, "end") in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    head = [cell.strip() for cell in table[0].strip("|").split("|")]
    assert head == ["measure", "unit", SHAPE_NAMES["daily"], SHAPE_NAMES["many"]]  # a smoke run judges nothing
    # 1,000 entries are searched without an index: there is no index build to time.
    measured = [measure.name for measure in MEASURES if measure.key != "index"]
    for name in ["digest files", "size on disk", *measured]:
        matching = [line for line in table if line.startswith(f"| {name} |")]
        assert len(matching) == 1, name
        cells = [cell.strip() for cell in matching[0].strip("|").split("|")]
        assert all(cell not in ("", "–") for cell in cells[2:4]), f"no value for {name}: {matching[0]}"
    assert "| digest files | files | 38 | 360 |" in text
    for key in ("CPU", "cores", "RAM", "Python", "Textual", "digest-tui"):
        assert f"- {key}: " in text
    # Nothing was written outside the temporary directory given to it, and only the archives
    # are kept there for the next run.
    assert not (tmp_path / "config").exists() or not any((tmp_path / "config").iterdir())
    assert sorted(p.name for p in (tmp_path / "digest-tui-bench").iterdir()) == ["archives"]


def test_a_full_run_writes_the_docs_a_smoke_run_only_where_told(tmp_path):
    assert DOCS == REPO / "docs" / "benchmarks.md" and DOCS.is_file()
    assert output_for(smoke=False, output=None) == DOCS
    assert output_for(smoke=True, output=None) is None
    assert output_for(smoke=True, output=tmp_path / "t.md") == tmp_path / "t.md"
    assert output_for(smoke=False, output=tmp_path / "t.md") == tmp_path / "t.md"


def test_each_size_has_its_block_between_the_markers(tmp_path):
    """A run replaces the block of each size it measured and keeps the others, so a full run
    can be split by size; what was there before blocks (an older table) goes."""
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Benchmarks\n\nBefore.\n\n{BEGIN}\nold table\n{END}\n\nAfter: what the numbers mean.\n", encoding="utf-8")

    def block(size: int, text: str) -> str:
        return f"{block_marker(size, 'begin')}\n{text}\n{block_marker(size, 'end')}"

    write_tables(path, {1_000_000: block(1_000_000, "a million"), 100_000: block(100_000, "first")})
    write_tables(path, {100_000: block(100_000, "second")})
    expected = f"{BEGIN}\n\n{block(100_000, 'second')}\n\n{block(1_000_000, 'a million')}\n\n{END}"
    assert path.read_text(encoding="utf-8") == f"# Benchmarks\n\nBefore.\n\n{expected}\n\nAfter: what the numbers mean.\n"
    fresh = tmp_path / "new.md"
    write_tables(fresh, {1_000: block(1_000, "t")})
    assert fresh.read_text(encoding="utf-8") == f"# Benchmarks\n\n{BEGIN}\n\n{block(1_000, 't')}\n\n{END}\n"


def test_both_shapes_hold_the_same_entries_the_same_way_every_time(tmp_path):
    """One file a day, or the same entries over about 36 files for 100, each with its date
    header in year/month folders: the reader finds the same entries, without a problem."""
    daily_files, daily_bytes = generate(tmp_path / "daily", 600, seed=7, shape="daily")
    many_files, _ = generate(tmp_path / "many", 600, seed=7, shape="many")
    assert (daily_files, many_files) == (23, 216)
    daily, many = load_library([tmp_path / "daily"]), load_library([tmp_path / "many"])
    assert not daily.problems and not many.problems
    assert len(daily) == len(many) == 600
    assert sorted((e.date, e.title, e.abstract, e.commentary, e.tags) for e in daily.entries) == sorted(
        (e.date, e.title, e.abstract, e.commentary, e.tags) for e in many.entries
    )
    names = [path.relative_to(tmp_path / "many").as_posix() for path in sorted((tmp_path / "many").rglob("*.txt"))]
    assert names[-1] == "2025/12/2025-12-31-03.txt" and all(re.fullmatch(r"\d{4}/\d\d/\d{4}-\d\d-\d\d-\d\d\.txt", n) for n in names)
    again = generate(tmp_path / "again", 600, seed=7, shape="daily")
    assert again == (daily_files, daily_bytes)
    for path in (tmp_path / "daily").rglob("*.txt"):
        assert (tmp_path / "again" / path.relative_to(tmp_path / "daily")).read_bytes() == path.read_bytes()


def test_a_big_archive_stays_within_recent_years():
    """A million entries at 27 a day would go back to 1925: big archives get more a day."""
    from benchmarks.archive import entries_per_day

    assert entries_per_day(100_000) == 27
    assert entries_per_day(1_000_000) == 200  # 5,000 days: from 2012


def test_an_archive_is_made_once_and_kept(tmp_path):
    first = cached(tmp_path, 100, "many", seed=3)
    assert (first.files, first.entries) == (36, 100)
    marker = first.path / "2025" / "12" / "left-by-the-first-run"
    marker.write_text("", encoding="utf-8")
    assert cached(tmp_path, 100, "many", seed=3) == first and marker.exists()
    assert cached(tmp_path, 100, "many", seed=3, fresh=True) == first and not marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.path.name, first.path.name + ".json"]


def test_what_a_terminal_shows_is_read_back_by_row(tmp_path):
    """The bare app in a real pseudo-terminal: its line is found, `j` changes it on the same
    row, `q` ends it; read a byte at a time, its output gives the same rows."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    program = Program([sys.executable, "-c", "from benchmarks.bare_app import main; main()"], env, str(tmp_path))
    try:
        program.shows(re.compile(re.escape(LINE)), "the line")
        program.press(b"j", re.compile(re.escape(CHANGED)), re.compile(re.escape(LINE)), "the changed line")
        assert program.quit() > 0
    finally:
        program.kill()
    rows = program.screen.rows_with(re.compile(re.escape(CHANGED)))
    assert rows == program.screen.rows_with(re.compile(re.escape(LINE))) and len(rows) == 1 and rows != {-1}
    bytewise = Screen()
    for n in range(len(program.output)):
        bytewise.feed(program.output[n : n + 1])
    assert [(row, "".join(parts)) for _, row, parts in bytewise.pieces] == [(row, "".join(parts)) for _, row, parts in program.screen.pieces]


def test_a_title_and_the_entry_count_are_looked_for_as_they_are_drawn():
    assert title_start("Tuio-99981: Codec Parallelism with Meets") == "Tuio-99981:"
    count = count_pattern(100_000)
    assert count.search(" digest-tui · daily · 100000 entries · 9 unread")
    assert count.search(" digest-tui · daily · 100,000 entries · 9 unread")
    assert not count.search(" 1100000 entries") and not count.search(" 2,100,000 entries") and not count.search("loading…")
