"""Shared fixtures: the sample digests in seeds/ (read only: tests copy them before changing anything)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


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
