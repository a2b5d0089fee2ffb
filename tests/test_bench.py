"""The benchmark in its smoke mode: it runs end to end and writes every row (timings are not judged here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from digest_tui.bench import BEGIN, END, SizeResult, default_output, rows, write_table

REPO = Path(__file__).resolve().parent.parent


def test_smoke_run_of_an_installed_copy_writes_the_whole_table_where_it_says(tmp_path):
    """`digest-tui bench --smoke` from an installed copy (the package and its seeds, as the wheel
    lays them out, with no checkout around them) run in some directory: the table goes to
    benchmarks.md there, and the last line says so; the checkout's docs/ are left alone."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "digest_tui", site / "digest_tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "seeds", site / "digest_tui" / "seeds")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    output = elsewhere / "benchmarks.md"
    docs_before = (REPO / "docs" / "benchmarks.md").read_bytes()
    env = dict(
        os.environ,
        PYTHONPATH=str(site),
        DIGEST_TUI_CONFIG_DIR=str(tmp_path / "config"),
        DIGEST_TUI_CACHE_DIR=str(tmp_path / "cache"),
        TMPDIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "-m", "digest_tui", "bench", "--smoke"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.rstrip().splitlines()[-1] == f"written to {output}"
    assert (REPO / "docs" / "benchmarks.md").read_bytes() == docs_before
    assert sorted(p.name for p in elsewhere.iterdir()) == ["benchmarks.md"]
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


def test_the_default_output_is_the_checkouts_docs_else_the_current_directory(tmp_path, monkeypatch):
    assert default_output() == REPO / "docs" / "benchmarks.md"  # these tests run from a checkout
    checkout = tmp_path / "checkout"
    (checkout / "digest_tui").mkdir(parents=True)
    (checkout / "docs").mkdir()
    (checkout / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    assert default_output(checkout / "digest_tui") == checkout / "docs" / "benchmarks.md"
    # site-packages may well hold a docs/ directory of some other package.
    installed = tmp_path / "site-packages"
    (installed / "digest_tui").mkdir(parents=True)
    (installed / "docs").mkdir()
    monkeypatch.chdir(tmp_path)
    assert default_output(installed / "digest_tui") == tmp_path / "benchmarks.md"


def test_the_table_goes_between_its_markers(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Benchmarks\n\nBefore.\n\n{BEGIN}\nold table\n{END}\n\nAfter: what the numbers mean.\n", encoding="utf-8")
    write_table(path, f"{BEGIN}\nnew table\n{END}")
    assert path.read_text(encoding="utf-8") == f"# Benchmarks\n\nBefore.\n\n{BEGIN}\nnew table\n{END}\n\nAfter: what the numbers mean.\n"
    fresh = tmp_path / "new.md"
    write_table(fresh, f"{BEGIN}\nt\n{END}")
    assert fresh.read_text(encoding="utf-8") == f"# Benchmarks\n\n{BEGIN}\nt\n{END}\n"
