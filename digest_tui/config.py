"""Settings in config.toml and where the app keeps its files."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

import platformdirs
import tomli_w

from digest_tui.atomic import atomic_write_text

APP_NAME = "digest-tui"
CONFIG_ENV = "DIGEST_TUI_CONFIG_DIR"
CACHE_ENV = "DIGEST_TUI_CACHE_DIR"
CONFIG_FILE = "config.toml"
STATE_FILE = "state.toml"

CHOICES = {
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
    mark_read_after: float = 1.0
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
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return settings, []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return settings, [f"{path}: cannot be read ({error}); using the defaults"]
    warnings: list[str] = []
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
    return settings, warnings


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


def remember(directory: Path, key: str, value: str) -> None:
    """Set one top-level key in config.toml, keeping the user's comments and other lines.

    Raises OSError when the file cannot be written.
    """
    path = directory / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # the user's file is broken (they were told at start); never rewrite it
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
    new_text = "\n".join(lines) + "\n"
    try:
        tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        return  # e.g. the key's old value spans several lines: leave the file as it is
    directory.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, new_text)
