"""What a user does in the reader, timed inside its process: cursor moves, tag and date
filters, search a key at a time, each from the key (or the filter set) to the screen drawn
again, at 120x40.

Run by benchmarks/bench.py in a process of its own with the installed reader on PYTHONPATH
and a warm parse cache: `python benchmarks/driver.py ARCHIVE CONFIG_DIR QUERIES_JSON`. It waits
until the whole archive is loaded, then prints one line of JSON: digest_tui.__file__ (so the
caller can check which reader ran) and each series of durations in milliseconds.

The app runs headless and is driven through Textual's public test API, `App.run_test()` and
its `Pilot`: a terminal gives no sign that a frame is done, Textual's own loop does.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from contextlib import suppress
from pathlib import Path

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


async def run_app(archive: str, config_dir: str, queries: list[str]) -> dict:
    import digest_tui
    from digest_tui.tui.app import DigestApp

    app = DigestApp(paths=[archive], config_dir=Path(config_dir))
    out: dict = {"module": digest_tui.__file__}
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: len(app.entry_list.rows) > 0 and not app.loading)
        # The load ends with the parse cache checked (and written if it changed): not while timing.
        await until(lambda: all(worker.is_finished for worker in app.workers if worker.group in ("load", "index")))
        await pilot.pause(0)  # drawn
        out.update(await interactions(app, pilot, queries))
        # Let every message still queued be handled before the app shuts down.
        await pilot.pause()
    return out


async def interactions(app, pilot, queries: list[str]) -> dict:
    from dataclasses import replace

    from digest_tui.session import date_keys

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
        cursor.append(await timed_key("j", lambda n=n: entry_list.cursor == n and app.detail.entry is entry_list.current))

    async def set_filter(flt) -> None:
        app.set_filter(flt)

    tags = [tag for tag, _ in app.library.tag_counts()[:12]]
    tag_times = []
    for tag in tags:
        for flt in (replace(app.session.filter, tag=tag), replace(app.session.filter, tag=None)):
            tag_times.append(await timed(lambda flt=flt: set_filter(flt), lambda flt=flt: app.listed_filter == flt))
    # The tree makes a month's day nodes when it is opened: the dates come from the entries.
    keys = sorted({key for entry in app.library.entries[:2000] for key in date_keys(entry.date)}, reverse=True)
    years = [k for k in keys if len(k) == 1][:4]
    months = [k for k in keys if len(k) == 2][:4]
    days = [k for k in keys if len(k) == 3][:4]
    date_times = []
    for key in years + months + days:
        for flt in (app.session.filter.with_date(*key), app.session.filter.with_date(None)):
            date_times.append(await timed(lambda flt=flt: set_filter(flt), lambda flt=flt: app.listed_filter == flt))

    search = []
    by_query: dict[str, list[float]] = {}
    for query in queries:
        await pilot.press("slash")
        await until(lambda: app.focused is app.query_one("#search"))
        typed = ""
        for char in query:
            typed += char
            by_query.setdefault(query, []).append(await timed_key(char, lambda typed=typed: app.listed_filter.query == typed))
        search += by_query[query]
        await pilot.press("escape")
        await until(lambda: app.session.filter.query == "")
        await pilot.pause(0)
    return {
        "cursor_ms": cursor,
        "tag_filter_ms": tag_times,
        "date_filter_ms": date_times,
        "search_ms": search,
        **{f"search_ms {query}": times for query, times in by_query.items()},
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: driver.py ARCHIVE CONFIG_DIR QUERIES_JSON", file=sys.stderr)
        return 2
    archive, config_dir, queries = argv
    print(json.dumps(asyncio.run(run_app(archive, config_dir, json.loads(queries)))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
