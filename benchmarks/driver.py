"""One measured run of the benchmark: a real reader (or a bare Textual app) started headless.

Run by benchmarks/bench.py in a fresh process, so that the time from the process's start is
measured whole: `python benchmarks/driver.py MODE ...` (with the checkout on PYTHONPATH). It
prints one line of JSON: wall-clock times (time.time(), which the parent compares with the
moment it spawned the process) and the durations it measured.

The app is driven through Textual's public test API: `App.run_test()` and its `Pilot`.
Imports are kept to what each mode needs, so the bare app pays for Textual and nothing else.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from contextlib import suppress
from statistics import median

SIZE = (120, 40)
POLL = 0.0005


async def until(condition, timeout: float = 600.0, task: asyncio.Task | None = None) -> None:
    """Wait until `condition()` holds, looking every half a millisecond; `task` (a key press
    under way) failing ends the wait with its error."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except Exception:  # not mounted yet
            pass
        if task is not None and task.done() and task.exception() is not None:
            raise task.exception()
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(POLL)


async def press(pilot, key: str, condition) -> float:
    """Press `key` with `pilot.press` and wait until `condition()` holds and the screen has
    been drawn; returns time.perf_counter() at that moment.

    After delivering the key, Pilot.press waits for the app to go idle, twice, 20 ms at least
    each time: too coarse to time a keystroke with. So the press runs as a task beside the
    wait for `condition`, and what is left of its idle wait is cancelled once the key has done
    its work."""
    task = asyncio.create_task(pilot.press(key))
    await until(condition, task=task)
    await pilot.pause(0)  # drawn
    done = time.perf_counter()
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    return done


async def run_bare() -> dict:
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App[None]):
        answered = 0

        def compose(self):
            yield Header()
            yield Static("A static line.")
            yield Footer()

        def on_key(self) -> None:
            self.answered += 1

    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: app.query_one(Static).size.height > 0)
        await pilot.pause(0)  # drawn
        await press(pilot, "j", lambda: app.answered)
        interactive = time.time()
    return {"interactive": interactive}


async def run_app(archive: str, config_dir: str, interact: bool, queries: list[str]) -> dict:
    from pathlib import Path

    from digest_tui.tui.app import DigestApp

    app = DigestApp(paths=[archive], config_dir=Path(config_dir))
    out: dict = {}
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: len(app.entry_list.rows) > 0)
        await pilot.pause(0)  # the first rows drawn
        await press(pilot, "j", lambda: app.entry_list.cursor == 1)
        out["interactive"] = time.time()
        out["first_rows"] = len(app.library)
        await until(lambda: not app.loading)
        await pilot.pause(0)
        out["loaded"] = time.time()
        out["entries"] = len(app.library)
        # The parse cache is written after the library is handed over, by the same worker.
        await until(lambda: all(worker.is_finished for worker in app.workers if worker.group == "load"))
        out["cache_written"] = time.time()
        if interact:
            out.update(await interactions(app, pilot, queries))
        # Let every message still queued be handled before the app shuts down.
        await pilot.pause()
    return out


async def interactions(app, pilot, queries: list[str]) -> dict:
    from dataclasses import replace

    from digest_tui.tui.widgets.sidebar import DateTree

    entry_list = app.entry_list
    entry_list.focus()
    await pilot.pause(0)

    async def timed(action, condition) -> float:
        start = time.perf_counter()
        await action()
        await until(condition)
        await pilot.pause(0)  # drawn
        return (time.perf_counter() - start) * 1000

    async def timed_key(key: str, condition) -> float:
        start = time.perf_counter()
        return (await press(pilot, key, condition) - start) * 1000

    cursor = []
    for n in range(1, 61):
        cursor.append(await timed_key("j", lambda n=n: entry_list.cursor == 1 + n and app.detail.entry is entry_list.current))

    async def set_filter(flt) -> None:
        app.set_filter(flt)

    tags = [tag for tag, _ in app.library.tag_counts()[:12]]
    tag_times = []
    for tag in tags:
        for flt in (replace(app.session.filter, tag=tag), replace(app.session.filter, tag=None)):
            tag_times.append(await timed(lambda flt=flt: set_filter(flt), lambda flt=flt: app.listed_filter == flt))
    keys = sorted(app.query_one(DateTree).nodes_by_key, reverse=True)
    years = [k for k in keys if len(k) == 1][:4]
    months = [k for k in keys if len(k) == 2][:4]
    days = [k for k in keys if len(k) == 3][:4]
    date_times = []
    for key in years + months + days:
        for flt in (app.session.filter.with_date(*key), app.session.filter.with_date(None)):
            date_times.append(await timed(lambda flt=flt: set_filter(flt), lambda flt=flt: app.listed_filter == flt))

    search = []
    for query in queries:
        await pilot.press("slash")
        await until(lambda: app.focused is app.query_one("#search"))
        typed = ""
        for char in query:
            typed += char
            search.append(await timed_key(char, lambda typed=typed: app.listed_filter.query == typed))
        await pilot.press("escape")
        await until(lambda: app.session.filter.query == "")
        await pilot.pause(0)
    return {
        "cursor_ms": cursor,
        "tag_filter_ms": tag_times,
        "date_filter_ms": date_times,
        "search_ms": search,
        "cursor_median": median(cursor),
    }


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "bare":
        result = asyncio.run(run_bare())
    elif mode == "app":
        archive, config_dir, interact = argv[1], argv[2], argv[3] == "interact"
        queries = json.loads(argv[4]) if len(argv) > 4 else []
        result = asyncio.run(run_app(archive, config_dir, interact, queries))
    else:
        print(f"unknown mode {mode!r}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
