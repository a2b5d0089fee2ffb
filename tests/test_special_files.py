"""FIFOs and devices where a digest, config.toml, state.toml or parsed.cache should be.

Reading a FIFO waits for a writer that never comes, so the commands that could hang run as
real subprocesses; their timeout is only a safety net, so that a regression fails instead
of hanging the test run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from digest_tui.digest.library import discover, load_library, read_digest
from digest_tui.disk.files import NOT_REGULAR, NotRegularFile, read_regular_file

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")

SAFETY_NET = 60
"""Seconds: far longer than any of these commands takes, so it fires only on a hang."""


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m digest_tui ARGS` with config and cache in tmp_path (`--config-dir` after the subcommand)."""
    env = dict(os.environ, DIGEST_TUI_CACHE_DIR=str(tmp_path / "cache"), HOME=str(tmp_path / "home"))
    env.pop("DIGEST_TUI_CONFIG_DIR", None)
    argv = [args[0], "--config-dir", str(tmp_path / "config"), *args[1:]]
    return subprocess.run(
        [sys.executable, "-m", "digest_tui", *argv],
        cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=SAFETY_NET,
    )


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def test_read_regular_file_refuses_fifos_and_devices(tmp_path):
    regular = tmp_path / "a.txt"
    regular.write_bytes(b"0123456789")
    assert read_regular_file(regular) == b"0123456789"
    assert read_regular_file(regular, 4) == b"0123"
    for path in (fifo(tmp_path / "pipe"), Path(os.devnull)):
        with pytest.raises(NotRegularFile) as raised:
            read_regular_file(path)
        assert str(raised.value) == raised.value.strerror == NOT_REGULAR
        assert raised.value.filename == str(path)
    with pytest.raises(IsADirectoryError):
        read_regular_file(tmp_path)
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing")


def test_a_fifo_or_device_among_the_digests_is_a_problem_naming_it(tmp_path, seed_files):
    folder = tmp_path / "digests"
    folder.mkdir()
    shutil.copy(seed_files[0], folder / seed_files[0].name)
    pipe = fifo(folder / "pipe.txt")
    (folder / "folder.txt").mkdir()  # a directory named like a digest is searched, not reported
    files, problems = discover([folder])
    assert files == [folder / seed_files[0].name]
    assert [str(p) for p in problems] == [f"{pipe}: {NOT_REGULAR}; skipped"]


def test_a_fifo_or_device_named_as_a_source_is_not_a_regular_file(tmp_path, seed_files):
    pipe = fifo(tmp_path / "pipe.txt")
    files, problems = discover([pipe, Path(os.devnull), seed_files[0], tmp_path / "missing.txt"])
    assert files == [seed_files[0]]
    assert [str(p) for p in problems] == [
        f"{pipe}: {NOT_REGULAR}",
        f"{os.devnull}: {NOT_REGULAR}",
        f"{tmp_path / 'missing.txt'}: no such file or directory",
    ]


def test_read_digest_refuses_a_device(tmp_path):
    result = read_digest(Path(os.devnull))
    assert result.entries == [] and [str(p) for p in result.problems] == [f"{os.devnull}: {NOT_REGULAR}; skipped"]


def test_check_with_fifos_for_config_state_and_a_digest_finishes(tmp_path, seeds_dir):
    config = tmp_path / "config"
    fifo(config / "config.toml")
    fifo(config / "state.toml")
    folder = tmp_path / "digests"
    shutil.copytree(seeds_dir, folder)
    pipe = fifo(folder / "zz-pipe.txt")
    result = run(tmp_path, "check", str(folder))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{pipe}: {NOT_REGULAR}; skipped", "27 entries, 1 problem"]
    assert result.stderr == f"digest-tui: {config / 'config.toml'}: cannot be read ({NOT_REGULAR}); using the defaults\n"


def test_export_with_fifos_for_config_and_state_finishes(tmp_path, seeds_dir):
    config = tmp_path / "config"
    fifo(config / "config.toml")
    fifo(config / "state.toml")
    result = run(tmp_path, "export", str(seeds_dir))
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 27
    assert f"{config / 'config.toml'}: cannot be read ({NOT_REGULAR})" in result.stderr
    assert f"{config / 'state.toml'} cannot be used ({NOT_REGULAR})" in result.stderr


def test_a_device_in_config_sources_is_not_a_regular_file(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('sources = ["/dev/zero"]\n', encoding="utf-8")
    result = run(tmp_path, "check")
    assert (result.returncode, result.stdout, result.stderr) == (1, f"/dev/zero: {NOT_REGULAR}\n0 entries, 1 problem\n", "")


def test_an_empty_path_in_config_sources_is_a_warning_not_the_current_directory(tmp_path, seed_files):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(f'sources = ["", "{seed_files[0]}"]\n', encoding="utf-8")
    (tmp_path / "stray.txt").write_text("not a digest\n", encoding="utf-8")  # in the working directory
    result = run(tmp_path, "check")
    assert result.stderr == f"digest-tui: {config / 'config.toml'}: sources holds an empty path, which names no file or directory; ignored\n"
    assert (result.returncode, result.stdout) == (0, f"{len(load_library([seed_files[0]]))} entries, 0 problems\n")


# What the reader does at start, in a process of its own: load through the parse cache, save
# it, and load state.toml.
READER_START = """
import sys
from pathlib import Path
from digest_tui.digest.cache import ParseCache
from digest_tui.digest.loader import Loader
from digest_tui.disk.store import StateStore

cache = ParseCache(Path(sys.argv[1]))
loader = Loader([Path(sys.argv[2])], cache)
print(len(loader.load()))
print(loader.parsed)
print(loader.save_cache())
for message in StateStore(Path(sys.argv[3])).load():
    print(message)
"""


def test_the_reader_start_with_a_fifo_cache_and_state_finishes_and_heals_the_cache(tmp_path, seeds_dir):
    cache = fifo(tmp_path / "cache" / "parsed.cache")
    state = fifo(tmp_path / "config" / "state.toml")
    result = subprocess.run(
        [sys.executable, "-c", READER_START, str(cache.parent), str(seeds_dir), str(state.parent)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=SAFETY_NET,
    )
    assert result.returncode == 0, result.stderr
    entries, parsed, saved, *messages = result.stdout.splitlines()
    assert (entries, parsed, saved) == ("27", "5", "True")  # the FIFO was never read: every file parsed
    assert any(f"{state} cannot be read ({NOT_REGULAR})" in message for message in messages), messages
    assert cache.is_file()  # the FIFO was replaced by a cache


def test_remembering_a_choice_with_fifos_for_config_and_its_lock_fails_without_hanging(tmp_path):
    """Run in a thread with a bound, since a regression would block forever."""
    import threading

    from digest_tui.config import remember

    os.mkfifo(tmp_path / "config.toml")
    os.mkfifo(tmp_path / "config.toml.lock")
    outcome: list[BaseException | None] = []

    def choose() -> None:
        try:
            remember(tmp_path, "sort", "title")
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            outcome.append(error)

    worker = threading.Thread(target=choose, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert outcome, "remembering a choice hung on a FIFO"
    assert isinstance(outcome[0], NotRegularFile)
