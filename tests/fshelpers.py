"""Real file-system conditions for tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def read_only(directory: Path):
    """Make `directory` really unwritable: chmod, or as root (whom chmod does not stop)
    the immutable attribute."""
    undo: list[str] = []
    if os.geteuid() != 0:
        directory.chmod(0o500)
        undo = ["chmod"]
    else:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(directory)], capture_output=True).returncode != 0:
            pytest.skip("running as root, where chmod does not stop writes, and chattr +i does not work here")
        undo = [chattr]
    try:
        probe = directory / "probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip("the directory stayed writable (chmod has no effect for this user)")
        yield
    finally:
        if undo == ["chmod"]:
            directory.chmod(0o700)
        elif undo:
            subprocess.run([undo[0], "-i", str(directory)], check=True)
