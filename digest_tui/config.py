"""Settings in config.toml and where the app keeps its files."""

from __future__ import annotations

import os
import threading
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal, get_args

import platformdirs

from digest_tui.digest.filters import Sort
from digest_tui.disk.atomic import WaitedLock, atomic_write_text
from digest_tui.disk.files import read_regular_file
from digest_tui.out.cite import CitationFormat
from digest_tui.out.clipboard import ClipboardMode

APP_NAME = "digest-tui"
CONFIG_ENV = "DIGEST_TUI_CONFIG_DIR"
CACHE_ENV = "DIGEST_TUI_CACHE_DIR"
CONFIG_FILE = "config.toml"
CONFIG_LOCK_FILE = CONFIG_FILE + ".lock"
LOCK_TIMEOUT = 5.0
"""Seconds remember() waits for another process's lock before writing without it."""

MarkRead = Literal["open", "dwell", "never"]
"""When an entry becomes read: when the user opens it, after it stays in view a while after a
move the user made, or only by hand (r, R)."""

CommentaryLanguage = Literal["both", "korean", "english"]
"""Which paragraphs of a commentary the detail pane shows: all, the Korean or the English ones."""

CHOICES = {
    "mark_read": get_args(MarkRead),
    "citation_format": get_args(CitationFormat),
    "sort": get_args(Sort),
    "clipboard": get_args(ClipboardMode),
    "commentary_language": get_args(CommentaryLanguage),
}
"""The keys whose value is one of a few words: each declared once, as a Literal where it is used."""


@dataclass
class Settings:
    """Every key of config.toml with its default. README's configuration table mirrors this."""

    sources: list[str] = field(default_factory=list)
    theme: str = "textual-dark"
    mark_read: MarkRead = "open"
    dwell_seconds: float = 1.0
    citation_format: CitationFormat = "bibtex"
    sort: Sort = "date"
    clipboard: ClipboardMode = "auto"
    commentary_language: CommentaryLanguage = "both"
    watch_authors: list[str] = field(default_factory=list)
    watch_keywords: list[str] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    """Saved searches from the [filters] table: a name and its query, in the file's order."""


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
        if key == "filters":
            settings.filters = _read_filters(value, path, warnings)
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


def _read_filters(value: object, path: Path, warnings: list[str]) -> dict[str, str]:
    """The [filters] table's saved searches (`name = "query"`); a wrong entry is reported and left out."""
    if not isinstance(value, dict):
        warnings.append(f'{path}: filters must be a table of names and queries ([filters] then reading-list = "is:bookmarked"); ignored')
        return {}
    filters: dict[str, str] = {}
    for name, query in value.items():
        if isinstance(query, str) and query.strip() and name.strip():
            filters[name] = query
        else:
            warnings.append(f"{path}: filter {name!r} = {query!r} is not a query (a non-empty string); ignored")
    return filters


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
# One read-modify-write of config.toml at a time in this process (the lock file keeps other
# processes out): two at once would each write back the file without the other's key.
_write_lock = threading.Lock()


def remember(directory: Path, key: str, value: str) -> str | None:
    """Set one top-level key in config.toml, keeping the user's comments, layout and other values.

    Safe from several threads and processes at once: no write loses another's key. Returns
    what write_remembered returns; raises OSError when the file cannot be written.
    """
    remember_later(directory, key, value)
    return write_remembered(directory)


def remember_later(directory: Path, key: str, value: str) -> None:
    """Queue `key = value` for the next write_remembered(directory); a later choice of the
    same key replaces it. Cheap: call it where the choice is made, in the order they are."""
    with _queue_lock:
        _queued.setdefault(Path(directory), {})[key] = value


def write_remembered(directory: Path) -> str | None:
    """Write every queued choice for `directory` to its config.toml (nothing when none is).

    A broken config.toml is never rewritten: the choices are dropped (the user was told at
    start). Returns None, or a sentence for the user when the file was written without its
    lock (another process held it too long, or none can be made there). Raises OSError when
    the file cannot be written; those choices are dropped too.
    """
    directory = Path(directory)
    with _write_lock:
        # Taken under the write lock: a write that started earlier has finished, so what
        # is taken now is at least as new as anything on disk.
        with _queue_lock:
            values = _queued.pop(directory, {})
        if not values:
            return None  # another thread wrote them
        directory.mkdir(parents=True, exist_ok=True)
        with WaitedLock(directory / CONFIG_LOCK_FILE, LOCK_TIMEOUT) as lock:
            written = _write_keys(directory / CONFIG_FILE, values)
        if written and lock.problem:
            return f"Saved {', '.join(values)} in {directory / CONFIG_FILE} without its lock ({lock.problem})"
        return None


def _write_keys(path: Path, values: dict[str, str]) -> bool:
    """Set top-level keys in the config.toml at `path` (see remember); whether it wrote.

    tomlkit edits the document in place, so comments, blank lines, the order of keys and
    values written over several lines stay as the user wrote them. A key whose value is a
    table or a list is the user's own, never replaced by a choice.
    """
    # tomlkit is only needed when a choice is remembered, never for the first paint.
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        text = read_regular_file(path).decode("utf-8")
    except FileNotFoundError:
        text = ""
    try:
        expected = tomllib.loads(text)
        document = tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, TOMLKitError):
        return False  # the user's file is broken (they were told at start); never rewrite it
    for key, value in values.items():
        if not isinstance(document.get(key), (dict, list)):
            document[key] = value
            expected[key] = value
    new_text = tomlkit.dumps(document)
    if new_text == text or _read_back(new_text) != expected:
        return False  # nothing to change, or an edit tomllib would not read back as meant
    atomic_write_text(path, new_text)
    return True


def _read_back(text: str) -> dict[str, object] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
