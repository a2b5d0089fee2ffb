"""A cold load of many files parsed by worker processes: the same library as one parse here,
the first library and progress early, and a worker that dies does not stop the load."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from digest_tui.digest import details, pool
from digest_tui.digest.cache import ParseCache
from digest_tui.digest.library import load_library
from digest_tui.digest.loader import FIRST_ENTRIES, Loader
from digest_tui.digest.search import search_bytes

COPIES = 16
"""Copies of each seed file: 80 files, 432 entries (more than the first library holds)."""


def every_field(library) -> list[tuple]:
    return [
        (e.id, e.date, e.title, e.authors, e.abstract, e.commentary, e.tags, e.links, e.source, e.line, e.end_line, e.arxiv_id)
        for e in library.entries
    ]


@pytest.fixture
def archive(tmp_path: Path, seed_files: list[Path]) -> Path:
    """80 digests, each of its own day (its title numbered, so that no paper appears twice)."""
    folder = tmp_path / "digests"
    for copy in range(COPIES):
        for index, path in enumerate(seed_files):
            day = f"2023-{1 + copy % 12:02d}-{1 + index + 5 * (copy // 12):02d}"
            lines = path.read_text(encoding="utf-8").split("\n")
            titled = [line + f" {copy}" if lines[n + 1 :][:1] and lines[n + 1].startswith("(") else line for n, line in enumerate(lines)]
            text = "\n".join([day, *titled[1:]])
            target = folder / f"{copy:02d}" / f"{day}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def in_workers(monkeypatch):
    """Every cold load parses in worker processes, a batch a file."""
    monkeypatch.setattr("digest_tui.digest.loader.PARALLEL_FILES", 0)
    monkeypatch.setattr(pool, "BATCH_BYTES", 1)


def test_workers_give_the_library_one_parse_here_gives(archive, tmp_path, in_workers):
    details.forget()
    expected = load_library([archive])
    assert len(expected) == COPIES * 27 and expected.notes == []
    progress: list[tuple[int, int]] = []
    firsts = []
    loader = Loader([archive], ParseCache(tmp_path / "cache"))
    library = loader.load(lambda done, total: progress.append((done, total)), firsts.append)
    assert loader.parsed == COPIES * 5 and len(loader.fresh) == COPIES * 5
    assert progress[0] == (0, COPIES * 5)  # right after discovery, before any file is read
    assert len(firsts) == 1 and FIRST_ENTRIES <= len(firsts[0]) < len(library)
    assert firsts[0].entries == library.entries[: len(firsts[0])]
    # Entries from workers hold no details: they are read from the files when asked.
    assert all(entry.attached is None for entry in library.entries)
    assert every_field(library) == every_field(expected)
    assert library.problems == expected.problems
    assert list(library.search_texts) == [search_bytes(entry) for entry in expected.entries]
    assert loader.save_cache() and loader.fresh == []
    warm = Loader([archive], ParseCache(tmp_path / "cache"))
    assert every_field(warm.load()) == every_field(expected) and warm.parsed == 0
    assert warm.search_texts() == list(library.search_texts)


def die_at_once() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def die_first(marker: str) -> None:
    """The first worker to start is killed; the others work."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    os.kill(os.getpid(), signal.SIGKILL)


def forkserver_pool(initializer, *args):
    def make(count: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("forkserver"), initializer=initializer, initargs=args)

    return make


@pytest.mark.parametrize("dying", ["every-worker", "the-first-worker"])
def test_a_killed_worker_does_not_stop_the_load(archive, tmp_path, in_workers, dying):
    expected = load_library([archive])
    made = forkserver_pool(die_at_once) if dying == "every-worker" else forkserver_pool(die_first, str(tmp_path / "marker"))
    loader = Loader([archive], ParseCache(tmp_path / "cache"), pool=made)
    library = loader.load()
    assert every_field(library) == every_field(expected) and library.problems == expected.problems
    assert loader.parsed == COPIES * 5
    assert list(library.search_texts) == [search_bytes(entry) for entry in expected.entries]
    # What the workers gave before one died and what was parsed here are cached alike.
    assert loader.save_cache()
    warm = Loader([archive], ParseCache(tmp_path / "cache"))
    assert every_field(warm.load()) == every_field(expected) and warm.parsed == 0


def test_no_worker_processes_for_a_few_files(archive, tmp_path):
    def refuse(count: int):
        raise AssertionError("a pool for a few files")

    loader = Loader([archive], ParseCache(tmp_path / "cache"), pool=refuse)
    assert len(loader.load()) == COPIES * 27 and loader.parsed == COPIES * 5


def test_no_processes_to_be_had_means_parsing_here(archive, tmp_path, in_workers):
    def unavailable(count: int):
        raise OSError("no processes")

    loader = Loader([archive], ParseCache(tmp_path / "cache"), pool=unavailable)
    assert every_field(loader.load()) == every_field(load_library([archive]))


WORKER_MODULES = """
import sys
from concurrent.futures import ProcessPoolExecutor
from digest_tui.digest.pool import process_pool

def modules():
    return sorted(name for name in sys.modules if name.split(".")[0] in ("textual", "rich", "digest_tui"))

if __name__ == "__main__":
    import textual.app  # the reader has it loaded; its workers must not
    with process_pool(1) as pool:
        print("\\n".join(pool.submit(modules).result()))
"""


def test_workers_import_only_the_digest_modules(tmp_path):
    script = tmp_path / "workers.py"
    script.write_text(WORKER_MODULES, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    modules = done.stdout.split()
    assert "digest_tui.digest.pool" in modules
    assert not [name for name in modules if not name.startswith(("digest_tui.digest", "digest_tui.disk", "digest_tui.text")) and name != "digest_tui"]
