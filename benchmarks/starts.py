"""Starts of the installed reader and of the bare Textual app in a terminal, as a user meets
them: the time to interactive, the time until the whole archive is loaded, peak RSS.

Interactive: the first screen is drawn (the newest entry's title in the list and at the top of
the detail pane, the second entry's in the list), and after `j` the second entry's title is
drawn where the first's was and the second's was not: the detail pane shows it. For the bare
app: its line is drawn, and after `j` its new line in its place. Loaded: the status line gives
the archive's whole count ("100000 entries"; it says "loading…" until then), so search looks
through everything. Titles are looked for by their start, the name and number every generated
title begins with, so a title cut at the right or wrapped is still found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bare_app import CHANGED, LINE
from benchmarks.install import Install
from benchmarks.terminal import Program

CACHE_FILE = "parsed.cache"
"""The parse cache in DIGEST_TUI_CACHE_DIR (digest_tui/digest/cache.py), renamed into place whole."""
INDEX_FILE = "search.index"
"""The token index beside it (digest_tui/digest/indexing.py), built by another process once the
archive is loaded, for archives of INDEX_FROM entries or more."""
INDEX_FROM = 10_000
CACHE_LOOKS = 0.005
"""Seconds between looks for the parse cache while the reader draws nothing."""


@dataclass
class Start:
    """One process: times in seconds from just before it was started, peak RSS in MB."""

    times: dict[str, float]
    rss_mb: float


def title_start(title: str) -> str:
    """`Tuio-99981:` of `Tuio-99981: Codec Parallelism …`: short enough never to be cut."""
    head, colon, _ = title.partition(":")
    if not colon or len(head) > 24:
        raise ValueError(f"not a generated title: {title!r}")
    return head + colon


def count_pattern(entries: int) -> re.Pattern[str]:
    """`100000 entries` or `100,000 entries`, not the end of a longer number."""
    digits = f"{entries:,}".replace(",", ",?")
    return re.compile(rf"(?<![\d,]){digits} entries")


def reader(install: Install, archive: Path, entries: int, config: Path, cache: Path, titles: tuple[str, str], cold: bool) -> Start:
    """The reader on `archive`; a cold start (an empty `cache`) also waits for the parse cache
    and the search index to be written, so the next warm start has them."""
    first, second = (re.compile(re.escape(title_start(title))) for title in titles)
    env = install.env(DIGEST_TUI_CACHE_DIR=str(cache))
    # Bounds for a broken run only: a second a thousand entries is several times what a load takes.
    timeout = 120 + entries / 1_000
    program = Program([*install.reader, "--config-dir", str(config), str(archive)], env, str(install.cwd), timeout)
    try:
        screen = program.screen
        program.wait(
            lambda: len(screen.rows_with(first)) >= 2 and bool(screen.rows_with(second)),
            f"the first screen: the newest entry's title {first.pattern!r} in the list and the detail pane, the next one's {second.pattern!r}",
        )
        times = {"interactive": program.press(b"j", second, first, "the second entry in the detail pane after j")}
        times["loaded"] = program.shows(count_pattern(entries), f"{entries} entries in the status line")
        if cold:
            times["cache_written"] = program.wait((cache / CACHE_FILE).exists, "the parse cache", every=CACHE_LOOKS)
            if entries >= INDEX_FROM:
                times["index_written"] = program.wait((cache / INDEX_FILE).exists, "the search index", every=CACHE_LOOKS)
        return Start(times, program.quit())
    finally:
        program.kill()


def bare(install: Install) -> Start:
    program = Program(install.bare, install.env(), str(install.cwd))
    try:
        line = re.compile(re.escape(LINE))
        program.shows(line, "the bare app's line")
        interactive = program.press(b"j", re.compile(re.escape(CHANGED)), line, "the bare app's line changed by j")
        return Start({"interactive": interactive}, program.quit())
    finally:
        program.kill()
