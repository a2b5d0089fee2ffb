"""Atomic writes: through a symlink the file it points to is replaced, never the link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest_tui.disk.atomic import atomic_file, atomic_write_bytes, remove_stale_temp_files


def test_a_new_file_is_written_whole(tmp_path: Path) -> None:
    atomic_write_bytes(tmp_path / "f.toml", b"data")
    assert os.listdir(tmp_path) == ["f.toml"] and (tmp_path / "f.toml").read_bytes() == b"data"


@pytest.mark.parametrize("relative", [True, False], ids=["relative-link", "absolute-link"])
def test_a_symlink_stays_a_link_and_its_target_is_replaced(tmp_path: Path, relative: bool) -> None:
    dotfiles, config = tmp_path / "dotfiles", tmp_path / "config"
    dotfiles.mkdir()
    config.mkdir()
    target = dotfiles / "state.toml"
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = config / "state.toml"
    link.symlink_to(Path("../dotfiles/state.toml") if relative else target)
    before = os.readlink(link)
    atomic_write_bytes(link, b"new")
    assert link.is_symlink() and os.readlink(link) == before
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640
    assert os.listdir(config) == ["state.toml"] and os.listdir(dotfiles) == ["state.toml"]  # no temporary file anywhere


def test_a_chain_of_links_and_a_dangling_link_lead_to_the_last_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "b").symlink_to(tmp_path / "real" / "f")  # dangling until written
    (tmp_path / "a").symlink_to(tmp_path / "b")
    atomic_write_bytes(tmp_path / "a", b"first")
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()
    assert (tmp_path / "real" / "f").read_bytes() == b"first"


def test_temporary_files_are_cleared_where_they_are_written(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link.toml").symlink_to(tmp_path / "real" / "f.toml")
    stale = tmp_path / "real" / ".f.toml.abc123.tmp"
    stale.write_bytes(b"left by a killed writer")
    os.utime(stale, (0, 0))
    assert remove_stale_temp_files(tmp_path / "link.toml") == 1 and not stale.exists()


def test_a_write_that_fails_halfway_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_file(path) as handle:
            handle.write(b"half of the n")
            raise RuntimeError("the writer stops")
    assert os.listdir(tmp_path) == ["f.toml"] and path.read_bytes() == b"old"


def test_a_write_that_need_not_last_a_crash_is_not_synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fsync(fd: int) -> None:
        raise AssertionError("fsync called")

    monkeypatch.setattr(os, "fsync", no_fsync)
    atomic_write_bytes(tmp_path / "parsed.cache", b"can be made again", durable=False)
    assert (tmp_path / "parsed.cache").read_bytes() == b"can be made again"
    with pytest.raises(AssertionError, match="fsync called"):
        atomic_write_bytes(tmp_path / "state.toml", b"must last")
    assert os.listdir(tmp_path) == ["parsed.cache"]  # the failed write left nothing behind
