"""Shared fixtures: the sample digests in seeds/ (read only: tests copy them before changing anything)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


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


@pytest.fixture(scope="session")
def library(seeds_dir: Path):
    """The sample digests as a library; they read without a single problem."""
    from digest_tui.library import load_library

    lib = load_library([seeds_dir])
    assert not lib.problems
    return lib
