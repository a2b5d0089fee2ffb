"""The benchmark (benchmarks/, in the checkout only) in its smoke mode: it runs end to end and
writes every row (timings are not judged here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # benchmarks/ is no part of the installed package

from benchmarks.bench import BEGIN, DOCS, END, SizeResult, output_for, rows, write_table  # noqa: E402


def test_smoke_run_writes_the_whole_table_where_it_is_told(tmp_path):
    """`python benchmarks/bench.py --smoke --output FILE` run in some other directory: the
    table goes to FILE and the last line says so; the checkout's docs/ are left alone."""
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
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.rstrip().splitlines()[-1] == f"written to {output}"
    assert DOCS.read_bytes() == docs_before
    assert not any(elsewhere.iterdir())
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks") and BEGIN in text and END in text
    assert "by `python benchmarks/bench.py --smoke`" in text
    names = [row.name for row in rows([SizeResult(1_000)], {"load_ms": 0.0, "save_ms": 0.0})]
    table = [line for line in text.splitlines() if line.startswith("| ")]
    for name in names:
        matching = [line for line in table if line.startswith(f"| {name} |")]
        assert len(matching) == 1, name
        cells = [cell.strip() for cell in matching[0].strip("|").split("|")]
        assert cells[2] not in ("", "–"), f"no value for {name}: {matching[0]}"
    for key in ("CPU", "cores", "RAM", "Python", "Textual"):
        assert f"- {key}: " in text
    assert "| size on disk (MB) |" in text and "| 1,000 |" in text
    # Nothing was written outside the temporary directory given to it.
    assert not (tmp_path / "config").exists() or not any((tmp_path / "config").iterdir())


def test_a_full_run_writes_the_docs_a_smoke_run_only_where_told(tmp_path):
    assert DOCS == REPO / "docs" / "benchmarks.md" and DOCS.is_file()
    assert output_for(smoke=False, output=None) == DOCS
    assert output_for(smoke=True, output=None) is None
    assert output_for(smoke=True, output=tmp_path / "t.md") == tmp_path / "t.md"
    assert output_for(smoke=False, output=tmp_path / "t.md") == tmp_path / "t.md"


def test_the_table_goes_between_its_markers(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Benchmarks\n\nBefore.\n\n{BEGIN}\nold table\n{END}\n\nAfter: what the numbers mean.\n", encoding="utf-8")
    write_table(path, f"{BEGIN}\nnew table\n{END}")
    assert path.read_text(encoding="utf-8") == f"# Benchmarks\n\nBefore.\n\n{BEGIN}\nnew table\n{END}\n\nAfter: what the numbers mean.\n"
    fresh = tmp_path / "new.md"
    write_table(fresh, f"{BEGIN}\nt\n{END}")
    assert fresh.read_text(encoding="utf-8") == f"# Benchmarks\n\n{BEGIN}\nt\n{END}\n"
