"""The wheel ships the package and its sample digests: build it offline, install it aside, run it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("hatchling") is None,
    reason="hatchling (the build backend, in the 'test' extra) is not importable, so no wheel can be built offline",
)


def test_wheel_installs_and_checks_its_bundled_seeds(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (wheel,) = dist.glob("digest_tui-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    seeds = sorted(n for n in names if n.startswith("digest_tui/seeds/"))
    assert [Path(n).name for n in seeds] == sorted(p.name for p in (REPO / "seeds").glob("*.txt"))
    # The benchmark lives in the checkout's benchmarks/ and is no part of what is installed.
    assert (REPO / "benchmarks" / "bench.py").is_file()
    assert [n for n in names if n.startswith("benchmarks/") or Path(n).name.startswith("bench")] == []

    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    for name in seeds:
        assert (site / name).read_bytes() == (REPO / "seeds" / Path(name).name).read_bytes()

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(site),
        DIGEST_TUI_CONFIG_DIR=str(tmp_path / "config"),
        DIGEST_TUI_CACHE_DIR=str(tmp_path / "cache"),
        HOME=str(tmp_path / "home"),
    )
    check = subprocess.run(
        [sys.executable, "-m", "digest_tui", "check", "--config-dir", str(tmp_path / "config")],
        cwd=outside, env=env, capture_output=True, text=True, timeout=120,
    )
    assert (check.returncode, check.stdout, check.stderr) == (0, "27 entries, 0 problems\n", "")

    where = subprocess.run(
        [sys.executable, "-c", "import digest_tui, digest_tui.digest.library as l; print(digest_tui.__file__); print(l.bundled_seeds())"],
        cwd=outside, env=env, capture_output=True, text=True, timeout=120,
    )
    assert where.returncode == 0, where.stderr
    module_file, seeds_dir = (Path(line).resolve() for line in where.stdout.splitlines())
    assert module_file.is_relative_to(site.resolve())
    assert seeds_dir == (site / "digest_tui" / "seeds").resolve()
    assert not seeds_dir.is_relative_to(REPO)
