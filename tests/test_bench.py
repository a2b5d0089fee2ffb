"""The benchmark in its smoke mode: it runs end to end and writes every row (timings are not judged here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from digest_tui.bench import BEGIN, END, SizeResult, rows, write_table

REPO = Path(__file__).resolve().parent.parent


def test_smoke_run_writes_the_whole_table(tmp_path):
    output = tmp_path / "bench.md"
    env = dict(
        os.environ,
        DIGEST_TUI_CONFIG_DIR=str(tmp_path / "config"),
        DIGEST_TUI_CACHE_DIR=str(tmp_path / "cache"),
        TMPDIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "--smoke", "--output", str(output)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks") and BEGIN in text and END in text
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


def test_the_table_goes_between_its_markers(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Benchmarks\n\nBefore.\n\n{BEGIN}\nold table\n{END}\n\nAfter: what the numbers mean.\n", encoding="utf-8")
    write_table(path, f"{BEGIN}\nnew table\n{END}")
    assert path.read_text(encoding="utf-8") == f"# Benchmarks\n\nBefore.\n\n{BEGIN}\nnew table\n{END}\n\nAfter: what the numbers mean.\n"
    fresh = tmp_path / "new.md"
    write_table(fresh, f"{BEGIN}\nt\n{END}")
    assert fresh.read_text(encoding="utf-8") == f"# Benchmarks\n\n{BEGIN}\nt\n{END}\n"
