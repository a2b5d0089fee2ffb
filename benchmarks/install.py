"""The reader as a user installs it: a wheel built from the checkout, installed (not editable)
into a directory of its own with its bytecode compiled. Every process the benchmark measures
runs with that directory on PYTHONPATH, from a working directory outside the checkout, so it
imports digest_tui from there; `install` checks that it does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BARE_MODULE = "bare_app"


@dataclass(frozen=True)
class Install:
    site: Path
    """What is on PYTHONPATH: digest_tui, its console script in bin/, and the bare app."""
    cwd: Path
    """The working directory of every measured process."""
    module: str
    """digest_tui.__file__ as the measured processes see it."""

    @property
    def reader(self) -> list[str]:
        """The command that starts the reader: the installed console script."""
        return [str(self.site / "bin" / "digest-tui")]

    @property
    def bare(self) -> list[str]:
        """The bare Textual app, started the way the console script starts the reader."""
        return [sys.executable, "-c", f"from {BARE_MODULE} import main; main()"]

    def env(self, **extra: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in ("TEXTUAL", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
        env["PYTHONPATH"] = str(self.site)
        env.update(extra)
        return env


def install(directory: Path) -> Install:
    """Build the wheel, install it under `directory` and compile it; returns where it is."""
    shutil.rmtree(directory, ignore_errors=True)
    dist, site, cwd = directory / "dist", directory / "site", directory / "run"
    cwd.mkdir(parents=True)
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)], "building the wheel")
    (wheel,) = dist.glob("digest_tui-*.whl")
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--no-compile", "--target", str(site), str(wheel)], "installing the wheel")
    shutil.copyfile(HERE / f"{BARE_MODULE}.py", site / f"{BARE_MODULE}.py")
    _run([sys.executable, "-m", "compileall", "-q", str(site)], "compiling it")
    probe = Install(site, cwd, "")
    found = _run([sys.executable, "-c", f"import digest_tui, {BARE_MODULE}; print(digest_tui.__file__)"], "importing it", probe.env(), cwd)
    module = found.strip()
    if not Path(module).is_relative_to(site):
        raise RuntimeError(f"digest_tui is imported from {module}, not from the installed {site}")
    return Install(site, cwd, module)


def _run(command: list[str], what: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout
