"""Shared fixtures: the sample digests in seeds/ (read only: tests copy them before changing anything),
and how many workers run the tests in parallel."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (the default in pyproject.toml): two workers per core. A test that drives the
    app spends about half its time waiting for the app to go idle, so one worker per core would
    leave the cores half used."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 * cores


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """The parse cache of every reader a test starts goes to a temporary directory, never the user's."""
    directory = tmp_path_factory.mktemp("cache")
    before = os.environ.get("DIGEST_TUI_CACHE_DIR")
    os.environ["DIGEST_TUI_CACHE_DIR"] = str(directory)
    yield directory
    if before is None:
        del os.environ["DIGEST_TUI_CACHE_DIR"]
    else:
        os.environ["DIGEST_TUI_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_files(seeds_dir: Path) -> list[Path]:
    """The five sample digests, in name order."""
    files = sorted(seeds_dir.glob("*.txt"))
    assert len(files) == 5, files
    return files


@pytest.fixture
def digests(tmp_path: Path, seed_files: list[Path]) -> Path:
    """A folder of copies of the sample digests, to change or damage."""
    folder = tmp_path / "digests"
    folder.mkdir()
    for path in seed_files:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeds_dir: Path) -> Path:
    """A working directory holding a copy of the sample digests as seeds/, with its own parse
    cache: snapshots show the source as "seeds", whatever the machine."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGEST_TUI_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(seeds_dir, tmp_path / "seeds")
    return tmp_path


@pytest.fixture(scope="session")
def library(seeds_dir: Path):
    """The sample digests as a library; they read without a single problem."""
    from digest_tui.digest.library import load_library

    lib = load_library([seeds_dir])
    assert not lib.problems
    return lib
