"""Settings in config.toml and where the app keeps its files."""

from __future__ import annotations

import os
import re
import threading
import tomllib
from dataclasses import dataclass, field, fields
from typing import Literal, get_args
from pathlib import Path

import platformdirs
import tomli_w

from digest_tui.atomic import FileLock, atomic_write_text
from digest_tui.files import read_regular_file

APP_NAME = "digest-tui"
CONFIG_ENV = "DIGEST_TUI_CONFIG_DIR"
CACHE_ENV = "DIGEST_TUI_CACHE_DIR"
CONFIG_FILE = "config.toml"
STATE_FILE = "state.toml"
CONFIG_LOCK_FILE = CONFIG_FILE + ".lock"
LOCK_TIMEOUT = 5.0
"""Seconds remember() waits for another process's lock before writing without it."""

MarkRead = Literal["open", "dwell", "never"]
"""When an entry becomes read: when the user opens it, after it stays in view a while after a
move the user made, or only by hand (r, R)."""

CHOICES = {
    "mark_read": get_args(MarkRead),
    "citation_format": ("bibtex", "plain", "markdown", "title"),
    "sort": ("date", "title"),
    "clipboard": ("auto", "terminal", "system"),
    "commentary_language": ("both", "korean", "english"),
}


@dataclass
class Settings:
    """Every key of config.toml with its default. README's configuration table mirrors this."""

    sources: list[str] = field(default_factory=list)
    theme: str = "textual-dark"
    mark_read: MarkRead = "open"
    dwell_seconds: float = 1.0
    citation_format: str = "bibtex"
    sort: str = "date"
    clipboard: str = "auto"
    commentary_language: str = "both"
    watch_authors: list[str] = field(default_factory=list)
    watch_keywords: list[str] = field(default_factory=list)


def config_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """--config-dir, else $DIGEST_TUI_CONFIG_DIR, else the platform's user config directory."""
    if override:
        return Path(override).expanduser()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME))


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME))


def load_settings(directory: Path) -> tuple[Settings, list[str]]:
    """Read config.toml. Anything wrong gives a warning and the default, never an exception."""
    path = directory / CONFIG_FILE
    settings = Settings()
    try:
        raw = tomllib.loads(read_regular_file(path).decode("utf-8"))
    except FileNotFoundError:
        return settings, []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return settings, [f"{path}: cannot be read ({error}); using the defaults"]
    warnings = _read_old_keys(raw, path)
    known = {f.name: f for f in fields(Settings)}
    for key, value in raw.items():
        if key not in known:
            warnings.append(f"{path}: unknown key {key!r} ignored")
            continue
        default = getattr(settings, key)
        checked = _check(key, value, default)
        if checked is None:
            warnings.append(f"{path}: {key} = {value!r} is not valid; using {default!r}")
        else:
            setattr(settings, key, checked)
    if "" in settings.sources:
        # Path("") is the current directory: an empty string is a slip, never a wish to read it.
        warnings.append(f"{path}: sources holds an empty path, which names no file or directory; ignored")
        settings.sources = [source for source in settings.sources if source]
    return settings, warnings


def _read_old_keys(raw: dict[str, object], path: Path) -> list[str]:
    """Turn keys of earlier versions into today's in `raw`, so no old config.toml breaks;
    each one read says what to write instead."""
    if "mark_read_after" not in raw:
        return []
    seconds = raw.pop("mark_read_after")
    if "mark_read" in raw:
        return [f"{path}: mark_read_after is no longer read (mark_read is set); remove it"]
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
        return [f"{path}: mark_read_after = {seconds!r} is not valid and no longer read; use mark_read"]
    if seconds == 0:
        raw["mark_read"] = "never"
        return [f'{path}: mark_read_after = 0 is read as mark_read = "never"; write that instead']
    raw["mark_read"], raw["dwell_seconds"] = "dwell", seconds
    return [f'{path}: mark_read_after = {seconds} is read as mark_read = "dwell" with dwell_seconds = {seconds}; write those instead']


def _check(key: str, value: object, default: object) -> object | None:
    if isinstance(default, list):
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return list(value)
        return None
    if isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return float(value)
        return None
    if not isinstance(value, str):
        return None
    if key in CHOICES and value not in CHOICES[key]:
        return None
    return value


# Choices not yet written, by config directory. They are taken in the order the user made
# them (remember_later), so that writers in threads that run in any order write the latest.
_queued: dict[Path, dict[str, str]] = {}
_queue_lock = threading.Lock()
# One read-modify-write of config.toml at a time in this process (FileLock keeps other
# processes out): two at once would each write back the file without the other's key.
_write_lock = threading.Lock()


def remember(directory: Path, key: str, value: str) -> None:
    """Set one top-level key in config.toml, keeping the user's comments and other lines.

    Safe from several threads and processes at once: no write loses another's key.
    Raises OSError when the file cannot be written.
    """
    remember_later(directory, key, value)
    write_remembered(directory)


def remember_later(directory: Path, key: str, value: str) -> None:
    """Queue `key = value` for the next write_remembered(directory); a later choice of the
    same key replaces it. Cheap: call it where the choice is made, in the order they are."""
    with _queue_lock:
        _queued.setdefault(Path(directory), {})[key] = value


def write_remembered(directory: Path) -> None:
    """Write every queued choice for `directory` to its config.toml (nothing when none is).

    A broken config.toml is never rewritten: the choices are dropped (the user was told at
    start). Raises OSError when the file cannot be written; those choices are dropped too.
    """
    directory = Path(directory)
    with _write_lock:
        # Taken under the write lock: a write that started earlier has finished, so what
        # is taken now is at least as new as anything on disk.
        with _queue_lock:
            values = _queued.pop(directory, {})
        if not values:
            return  # another thread wrote them
        directory.mkdir(parents=True, exist_ok=True)
        with FileLock(directory / CONFIG_LOCK_FILE, LOCK_TIMEOUT):
            _write_keys(directory / CONFIG_FILE, values)


def _write_keys(path: Path, values: dict[str, str]) -> None:
    """Set top-level keys in the config.toml at `path` (see remember)."""
    try:
        text = read_regular_file(path).decode("utf-8")
    except FileNotFoundError:
        text = ""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # the user's file is broken (they were told at start); never rewrite it
    new_text = text
    for key, value in values.items():
        candidate = _with_line(new_text, key, value)
        try:
            tomllib.loads(candidate)
        except tomllib.TOMLDecodeError:
            continue  # e.g. the key's old value spans several lines: leave that key as it is
        new_text = candidate
    if new_text != text:
        atomic_write_text(path, new_text)


def _with_line(text: str, key: str, value: str) -> str:
    """`text` with the line of top-level `key` replaced, or one added before the first table."""
    line = tomli_w.dumps({key: value}).strip()
    lines = text.splitlines()
    first_table = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("[")), len(lines))
    pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
    for i in range(first_table):
        if pattern.match(lines[i]):
            lines[i] = line
            break
    else:
        lines.insert(first_table, line)
    return "\n".join(lines) + "\n"
